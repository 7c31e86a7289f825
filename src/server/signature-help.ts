import { MarkupKind, type Position, type SignatureHelp } from 'vscode-languageserver/node';
import type { BlockDecl, ModelDecl } from '../language/ast';
import { lex, type Token } from '../language/passes/lexer';
import { docComment, signature } from '../language/editor/symbols';
import type { AnalyzedDocument } from './documents';

/**
 * The parameters of the block (or, after `model B =`, the model) whose argument list the cursor is
 * in, with the one being typed highlighted: by position, or by name once `name =` is written.
 */
export function signatureHelp(document: AnalyzedDocument, position: Position): SignatureHelp | null {
  const offset = document.offsetAt(position);
  const lineStart = document.offsetAt({ line: position.line, character: 0 });
  const call = openCall(lex(document.analysis.text.slice(lineStart, offset)));
  if (!call) return null;
  const { analysis } = document;
  const callee: BlockDecl | ModelDecl | undefined = analysis.blocks.get(call.callee) ?? analysis.modelDecls.get(call.callee);
  if (!callee) return null;
  const { label, parameters } = signature(analysis, callee);
  const namedIndex = call.named === undefined ? -1 : callee.params.findIndex((p) => p.name.name === call.named);
  const doc = docComment(analysis, callee);
  return {
    signatures: [{
      label: `${callee.kind} ${label}`,
      documentation: doc === undefined ? undefined : { kind: MarkupKind.Markdown, value: doc },
      parameters: parameters.map((p) => ({ label: [p.start + callee.kind.length + 1, p.end + callee.kind.length + 1] as [number, number] })),
    }],
    activeSignature: 0,
    activeParameter: namedIndex >= 0 ? namedIndex : call.index,
  };
}

/** The innermost unclosed `name(` before the cursor on its line: the callee, the argument index, a `name =` being given. */
function openCall(tokens: Token[]): { callee: string; index: number; named?: string } | undefined {
  const line = tokens.filter((t) => t.kind !== 'eof' && t.kind !== 'newline');
  if (line[line.length - 1]?.kind === 'comment') return undefined;
  let depth = 0;
  let index = 0;
  let argumentStart = line.length;
  for (let i = line.length - 1; i >= 0; i--) {
    const token = line[i]!;
    if (token.kind !== 'punct') continue;
    if (depth === 0 && (token.text === ';' || token.text === '{' || token.text === '}')) return undefined;
    if (token.text === ')') depth++;
    else if (token.text === ',' && depth === 0) {
      if (index === 0) argumentStart = i + 1;
      index++;
    } else if (token.text === '(') {
      if (depth > 0) {
        depth--;
        continue;
      }
      const callee = line[i - 1];
      if (callee?.kind !== 'ident' || callee.span.end !== token.span.start) return undefined;
      if (index === 0) argumentStart = i + 1;
      const [name, equals] = [line[argumentStart], line[argumentStart + 1]];
      const named = name?.kind === 'ident' && equals?.kind === 'punct' && equals.text === '=' ? name.text : undefined;
      return { callee: callee.text, index, named };
    }
  }
  return undefined;
}
