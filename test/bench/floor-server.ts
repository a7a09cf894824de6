/**
 * The floor for the hover benchmark: a minimal vscode-languageserver server over stdio
 * that answers every hover with a fixed Markdown text. Same transport, no work.
 */
import { createConnection, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';

const connection = createConnection(process.stdin, process.stdout);
const documents = new TextDocuments(TextDocument);
connection.onInitialize(() => ({
  capabilities: { hoverProvider: true, codeActionProvider: true, textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental } },
}));
// A fixed quick fix: the floor for the instant quick fix of a review finding.
connection.onCodeAction((params) => [
  { title: 'Fixed fix', kind: 'quickfix', edit: { changes: { [params.textDocument.uri]: [{ range: params.range, newText: 'x' }] } } },
]);
connection.onHover(() => ({ contents: { kind: 'markdown', value: '**Fixed answer.** It returns the total price of the items.' } }));
documents.listen(connection);
connection.listen();
