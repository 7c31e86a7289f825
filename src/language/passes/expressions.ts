import type { Expr } from '../ast';
import { DiagnosticSink, didYouMean } from '../diagnostic-sink';
import { inputField } from './input-shape';

/** A value in the language: a number, a size such as 5x5, or a string. */
export type Value = number | number[] | string;

/**
 * The shape flowing into the statement being read, which `in.c` reads. One holder per model,
 * moved along as the statements are walked: every expression sees its own statement's input.
 */
export interface StatementInput {
  /** null where an earlier error left it unknown (then `in.c` stays quiet). */
  shape: number[] | null;
  /** false before the model's input line. */
  flowing: boolean;
}

/**
 * Block and model parameters in scope: lexical, a body sees only its own parameters. In a model
 * or block body `input` is set, so `in.c` reads the statement's input; elsewhere it is absent.
 */
export type Environment = ReadonlyMap<string, Value> & { readonly input?: StatementInput };

export const EMPTY_ENVIRONMENT: Environment = new Map();

/**
 * Evaluates an expression, reporting what goes wrong at the expression's span.
 * Returns undefined after an error so the caller can skip the value.
 */
export function evaluate(expr: Expr, env: Environment, sink: DiagnosticSink): Value | undefined {
  switch (expr.kind) {
    case 'number':
      return expr.value;
    case 'dims':
      return expr.dims;
    case 'string':
      return expr.value;
    case 'name': {
      const value = env.get(expr.name);
      if (value === undefined) {
        sink.error('unknown-name', expr.span, `unknown name '${expr.name}'`, didYouMean(expr.name, env.keys()) ?? (env.size > 0 ? `parameters here: ${[...env.keys()].join(', ')}` : undefined));
      }
      return value;
    }
    case 'unary': {
      const operand = evaluateNumber(expr.operand, env, sink);
      if (operand === undefined) return undefined;
      return expr.op === 'not' ? Number(operand === 0) : expr.op === '-' ? -operand : operand;
    }
    case 'member':
      return inputField(expr, env, sink);
    case 'size': {
      const dims: number[] = [];
      for (const part of expr.parts) {
        const value = evaluate(part, env, sink);
        if (value === undefined) return undefined;
        if (typeof value === 'string') {
          sink.error('bad-value', part.span, `a size is made of numbers, not ${describeValue(value)}`);
          return undefined;
        }
        dims.push(...(typeof value === 'number' ? [value] : value));
      }
      return dims;
    }
    case 'binary': {
      const left = evaluateNumber(expr.left, env, sink);
      const right = evaluateNumber(expr.right, env, sink);
      if (left === undefined || right === undefined) return undefined;
      return arithmetic(expr.op, left, right, expr, sink);
    }
  }
}

function arithmetic(op: string, left: number, right: number, expr: Expr, sink: DiagnosticSink): number | undefined {
  if ((op === '/' || op === '//' || op === '%') && right === 0) {
    sink.error('bad-value', expr.span, 'division by zero');
    return undefined;
  }
  switch (op) {
    case '+': return left + right;
    case '-': return left - right;
    case '*': return left * right;
    case '/': return left / right;
    case '//': return Math.floor(left / right);
    case '%': return left % right;
    case '<': return Number(left < right);
    case '>': return Number(left > right);
    case '<=': return Number(left <= right);
    case '>=': return Number(left >= right);
    case '==': return Number(left === right);
    case '!=': return Number(left !== right);
    case 'and': return Number(left !== 0 && right !== 0);
    case 'or': return Number(left !== 0 || right !== 0);
  }
  sink.error('syntax', expr.span, `unknown operator '${op}'`);
  return undefined;
}

export function evaluateNumber(expr: Expr, env: Environment, sink: DiagnosticSink): number | undefined {
  const value = evaluate(expr, env, sink);
  if (value === undefined) return undefined;
  if (typeof value !== 'number') {
    sink.error('bad-value', expr.span, `expected a number here, found ${describeValue(value)}`);
    return undefined;
  }
  return value;
}

export function describeValue(value: Value): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `"${value}"`;
  return value.join('x');
}
