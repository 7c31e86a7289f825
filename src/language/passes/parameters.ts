import type { Argument, Parameter } from '../ast';
import { DiagnosticSink, didYouMean } from '../diagnostic-sink';
import { EMPTY_ENVIRONMENT, evaluate, type Environment, type StatementInput, type Value } from './expressions';
import type { Span } from '../text';

/** Matches arguments to parameters (positional, then named, then defaults). */
export function bindParameters(
  params: Parameter[], args: Argument[], argsSpan: Span, what: string, sink: DiagnosticSink,
  input: StatementInput | undefined, precomputed?: (Value | undefined)[],
): Environment | undefined {
  const env: Map<string, Value> & { input?: StatementInput } = Object.assign(new Map<string, Value>(), { input });
  let ok = true;
  let positional = 0;
  let sawNamed = false;
  args.forEach((arg, i) => {
    const value = precomputed ? precomputed[i] : evaluate(arg.value, EMPTY_ENVIRONMENT, sink);
    let param: Parameter | undefined;
    if (arg.name) {
      sawNamed = true;
      param = params.find((p) => p.name.name === arg.name!.name);
      if (!param) {
        sink.error('unknown-name', arg.name.span, `${what} has no parameter '${arg.name.name}'`, didYouMean(arg.name.name, params.map((p) => p.name.name)) ?? `its parameters: ${params.map((p) => p.name.name).join(', ') || 'none'}`);
        ok = false;
        return;
      }
    } else {
      if (sawNamed) sink.error('syntax', arg.span, 'a positional argument cannot follow a named one');
      param = params[positional++];
      if (!param) {
        sink.error('too-many-arguments', arg.span, `${what} takes ${params.length} argument${params.length === 1 ? '' : 's'}, but gets ${args.length}`, `parameters: (${params.map((p) => p.name.name).join(', ')})`);
        ok = false;
        return;
      }
    }
    if (env.has(param.name.name)) {
      sink.error('duplicate-argument', arg.span, `${what}: '${param.name.name}' is given twice`);
      ok = false;
    }
    if (value === undefined) ok = false;
    else env.set(param.name.name, value);
  });
  for (const param of params) {
    if (env.has(param.name.name)) continue;
    if (param.default) {
      const value = evaluate(param.default, env, sink);
      if (value === undefined) ok = false;
      else env.set(param.name.name, value);
    } else if (ok) {
      sink.error('missing-argument', argsSpan, `${what} needs a value for '${param.name.name}'`, `parameters: (${params.map((p) => p.name.name + (p.default ? ' = …' : '')).join(', ')})`);
      ok = false;
    }
  }
  return ok ? env : undefined;
}
