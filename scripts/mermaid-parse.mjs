// Parses Mermaid diagrams with the real Mermaid parser (mermaid.parse), as GitHub/GitLab/Gitea would before
// rendering. Installed beside its node_modules by scripts/mermaid-parser.sh. Usage: node mermaid-parse.mjs FILE...
// Prints one line per file, "OK <diagram type>" or "ERR <message on one line>"; exit 1 when any failed.
import { readFileSync } from 'fs';
import { JSDOM } from 'jsdom';

// mermaid sanitises labels with DOMPurify, which needs a window: Node has none, jsdom provides one
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    const result = await mermaid.parse(readFileSync(file, 'utf8'));
    console.log('OK ' + result.diagramType);
  } catch (e) {
    failed = true;
    console.log('ERR ' + String(e.message).replace(/\s+/g, ' '));
  }
}
process.exit(failed ? 1 : 0);
