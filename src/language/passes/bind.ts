import type { Expr, LayerStatement } from '../ast';
import { DiagnosticSink, didYouMean } from '../diagnostic-sink';
import { describeValue, evaluate, type Environment, type Value } from './expressions';
import type { AttrValue, Attrs } from '../layer-graph';
import { ACTIVATIONS, type ParameterSpec, type WordsSpec } from './layer-catalogue';
import { suggestOption } from './synonyms';

/**
 * Binds the words of a layer line to its spec: flags (`same`, `relu`), named options
 * (`stride 2`) and positional values (`6 5x5`), checking each value's type.
 * Returns the attributes with defaults filled in, or undefined when a required one is missing.
 */
export function bindLayer(statement: LayerStatement, spec: WordsSpec, env: Environment, sink: DiagnosticSink): Attrs | undefined {
  const attrs: Attrs = {};
  const setBy = new Map<string, Expr>();
  const positional = spec.params.filter((p) => p.positional);
  let nextPositional = 0;
  let complete = true;
  const words = statement.args;

  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const keyword = word.kind === 'name' && !env.has(word.name) ? word.name : undefined;
    if (keyword !== undefined) {
      const flag = spec.flags.find((f) => f.name === keyword) ?? (spec.takesActivation && keyword in ACTIVATIONS ? { sets: { activation: keyword } } : undefined);
      if (flag) {
        for (const [key, value] of Object.entries(flag.sets)) {
          if (setBy.has(key)) sink.error('duplicate-argument', word.span, `${spec.op}: ${key} is already set by '${textOf(setBy.get(key)!)}'`);
          attrs[key] = value;
          setBy.set(key, word);
        }
        continue;
      }
      const option = spec.params.find((p) => p.name === keyword);
      if (option) {
        const valueWord = words[i + 1];
        if (valueWord === undefined) {
          sink.error('missing-argument', word.span, `${spec.op}: '${keyword}' needs a value`, `for example: ${keyword} ${example(option)}`);
          complete = complete && !option.required;
          continue;
        }
        i++;
        if (setBy.has(option.name)) sink.error('duplicate-argument', word.span, `${spec.op}: ${option.name} is given twice`);
        assign(spec, option, valueWord, env, sink, attrs, setBy);
        continue;
      }
      const nextParam = positional[nextPositional];
      if (nextParam?.type === 'word') {
        nextPositional++;
        assign(spec, nextParam, word, env, sink, attrs, setBy);
        continue;
      }
      if (nextParam !== undefined && env.size > 0) {
        // Inside a block a bare word in a value's place is most likely a misspelt parameter.
        nextPositional++;
        setBy.set(nextParam.name, word);
        complete = false;
        sink.error('unknown-name', word.span, `unknown name '${keyword}': neither a parameter in scope nor an option of ${spec.op}`, didYouMean(keyword, [...env.keys(), ...spec.params.map((p) => p.name)]) ?? `parameters in scope: ${[...env.keys()].join(', ')}`);
        continue;
      }
      const choices = [...spec.flags.map((f) => f.name), ...spec.params.map((p) => p.name), ...(spec.takesActivation ? Object.keys(ACTIVATIONS) : []), ...env.keys()];
      const suggestion = suggestOption(keyword, choices);
      sink.error('unknown-option', word.span, `${spec.op} has no option '${keyword}'`, suggestion ? `did you mean '${suggestion}'?` : optionList(spec));
      // `strid 2`: the value belongs to the misspelt option, not to the positional values.
      const meant = spec.params.find((p) => p.name === suggestion && !p.positional);
      if (meant && words[i + 1] !== undefined && words[i + 1]!.kind !== 'name') i++;
      continue;
    }
    const param = positional[nextPositional++];
    if (param === undefined) {
      sink.error('too-many-arguments', word.span, `${spec.op} takes ${positional.length === 0 ? 'no values' : `${positional.length} value${positional.length > 1 ? 's' : ''} (${positional.map((p) => p.name).join(', ')})`} before its options; '${textOf(word)}' is one too many`, optionList(spec));
      continue;
    }
    if (setBy.has(param.name)) {
      sink.error('duplicate-argument', word.span, `${spec.op}: ${param.name} is given twice`);
      continue;
    }
    assign(spec, param, word, env, sink, attrs, setBy);
  }

  for (const param of spec.params) {
    if (attrs[param.name] !== undefined) continue;
    if (param.default !== undefined) {
      // Defaults go through the same normalisation as written values: a size is always [h, w].
      const normalised = checkValue(spec.op, param, param.default);
      attrs[param.name] = typeof normalised === 'string' ? param.default : normalised.value;
    }
    else if (param.required) {
      // A required value that was given but rejected has been reported already.
      if (!setBy.has(param.name)) sink.error('missing-argument', statement.op.span, `${spec.op} needs its ${param.name}: ${param.doc}`, `write it as: ${usage(spec)}`);
      complete = false;
    }
  }
  for (const [key, value] of Object.entries(spec.defaults ?? {})) if (attrs[key] === undefined) attrs[key] = value;
  if (attrs.pad !== undefined && setBy.has('padding')) {
    sink.error('duplicate-argument', setBy.get('padding')!.span, `${spec.op}: padding is set both by 'pad' and by '${textOf(setBy.get('padding')!)}'`);
  }
  checkInitialiser(spec, attrs, setBy, sink);
  return complete ? attrs : undefined;
}

/** `std` belongs to `init normal`, and a spread must be above 0. */
function checkInitialiser(spec: WordsSpec, attrs: Attrs, setBy: Map<string, Expr>, sink: DiagnosticSink): void {
  // `data … std` is a normalisation's spread, not this.
  if (!spec.params.some((p) => p.name === 'init')) return;
  const stdWord = setBy.get('std');
  if (attrs.init === 'normal' && attrs.std === undefined) {
    if (stdWord === undefined) sink.error('missing-argument', setBy.get('init')!.span, `${spec.op}: init normal needs its spread`, 'write it as: init normal std 0.01');
    return;
  }
  if (stdWord === undefined || attrs.std === undefined) return;
  if (attrs.init !== 'normal') sink.error('bad-value', stdWord.span, `${spec.op}: std is the spread of init normal, but this layer starts with init ${String(attrs.init)}`, 'write init normal before it, or drop std');
  else if ((attrs.std as number) <= 0) sink.error('bad-value', stdWord.span, `${spec.op} std must be above 0, not ${String(attrs.std)}`);
}

function assign(spec: WordsSpec, param: ParameterSpec, word: Expr, env: Environment, sink: DiagnosticSink, attrs: Attrs, setBy: Map<string, Expr>): void {
  setBy.set(param.name, word);
  // A word parameter takes a bare name literally (`data mnist`, `data fashion-mnist`), not as a variable.
  const literal = param.type === 'word' || param.type === 'selection' ? hyphenatedWord(word) : undefined;
  const value = literal !== undefined && !env.has(literal) ? literal : evaluate(word, env, sink);
  if (value === undefined) return;
  const checked = checkValue(spec.op, param, value);
  if (typeof checked === 'string') sink.error('bad-value', word.span, checked, `${param.name}: ${param.doc}`);
  else attrs[param.name] = checked.value;
}

/** Checks a value against a parameter's type; returns the normalised value or the complaint. */
export function checkValue(op: string, param: ParameterSpec, value: Value): { value: AttrValue } | string {
  const what = `${op} ${param.name}`;
  const isPositiveInt = (n: number) => Number.isInteger(n) && n > 0;
  switch (param.type) {
    case 'count':
      if (typeof value === 'number' && isPositiveInt(value)) return { value };
      return `${what} must be a whole number above 0, not ${describeValue(value)}`;
    case 'size': {
      const allowZero = param.name === 'pad' || param.name === 'size';
      const ok = (n: number) => Number.isInteger(n) && (allowZero ? n >= 0 : n > 0);
      if (typeof value === 'number' && ok(value)) return { value: [value, value] };
      if (Array.isArray(value) && value.length === 2 && value.every(ok)) return { value };
      return `${what} must be N or H×W with whole numbers${allowZero ? '' : ' above 0'}, not ${describeValue(value)}`;
    }
    case 'shape':
      if (typeof value === 'number' && isPositiveInt(value)) return { value: [value] };
      if (Array.isArray(value) && value.length === 3 && value.every(isPositiveInt)) return { value };
      if (Array.isArray(value) && value.length === 2) return `${what} needs channels too: ${value.join('x')}x1 for gray, ${value.join('x')}x3 for colour`;
      return `${what} must be H×W×C (such as 28x28x1) or a vector length, not ${describeValue(value)}`;
    case 'rate':
      if (typeof value === 'number' && value >= 0 && value < 1) return { value };
      return `${what} must be at least 0 and below 1, not ${describeValue(value)}`;
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return { value };
      return `${what} must be a number, not ${describeValue(value)}`;
    case 'perchannel':
      if (typeof value === 'number' && Number.isFinite(value)) return { value: [value] };
      if (Array.isArray(value) && (value.length === 1 || value.length === 3) && value.every(Number.isFinite)) return { value };
      return `${what} must be one number, or one per channel such as 0.4914 x 0.4822 x 0.4465, not ${describeValue(value)}`;
    case 'selection':
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { value };
      if (typeof value === 'string') return { value };
      return `${what} must be all, a whole number of layers or a layer's name, not ${describeValue(value)}`;
    case 'word':
      if (typeof value !== 'string') return `${what} must be a name, not ${describeValue(value)}`;
      if (param.choices && !param.choices.includes(value)) return `${what} must be one of ${param.choices.join(', ')}, not '${value}'`;
      return { value };
  }
}

/** `fashion-mnist` parses as a subtraction; written without spaces it is one hyphenated word. */
function hyphenatedWord(expr: Expr): string | undefined {
  if (expr.kind === 'name') return expr.name;
  if (expr.kind !== 'binary' || expr.op !== '-' || expr.left.span.end + 1 !== expr.right.span.start) return undefined;
  const left = hyphenatedWord(expr.left);
  const right = hyphenatedWord(expr.right);
  return left !== undefined && right !== undefined ? `${left}-${right}` : undefined;
}

function textOf(expr: Expr): string {
  switch (expr.kind) {
    case 'number': return String(expr.value);
    case 'dims': return expr.dims.join('x');
    case 'name': return expr.name;
    case 'string': return `"${expr.value}"`;
    case 'unary': return expr.op === 'not' ? `not ${textOf(expr.operand)}` : `${expr.op}${textOf(expr.operand)}`;
    case 'binary': return expr.op === 'and' || expr.op === 'or' ? `${textOf(expr.left)} ${expr.op} ${textOf(expr.right)}` : `${textOf(expr.left)}${expr.op}${textOf(expr.right)}`;
    case 'member': return `${expr.object.name}.${expr.property.name}`;
    case 'size': return expr.parts.map(textOf).join('x');
  }
}

function example(param: ParameterSpec): string {
  if (param.default !== undefined) return Array.isArray(param.default) ? param.default.join('x') : String(param.default);
  return param.type === 'size' ? '2' : param.type === 'rate' ? '0.5' : '1';
}

/** `conv FILTERS KERNEL [stride N] [pad N] …`, for hints and signature help. */
export function usage(spec: WordsSpec): string {
  const positional = spec.params.filter((p) => p.positional).map((p) => (p.required ? p.name.toUpperCase() : `[${p.name.toUpperCase()}]`));
  const options = spec.params.filter((p) => !p.positional).map((p) => `[${p.name} N]`);
  const flags = spec.flags.length > 0 ? [`[${spec.flags.map((f) => f.name).join('|')}]`] : [];
  const activation = spec.takesActivation ? ['[ACTIVATION]'] : [];
  return [spec.op, ...positional, ...options, ...flags, ...activation].join(' ');
}

function optionList(spec: WordsSpec): string {
  return `usage: ${usage(spec)}`;
}
