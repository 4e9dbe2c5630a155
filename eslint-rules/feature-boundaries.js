// Feature boundaries of server/src (server/src/README.md draws them). Two checks on every
// relative import of a file under server/src:
// - entries: code outside a feature folder imports only the folder's index.ts;
// - layers: imports point down the layers below, never up or sideways. A feature may use its
//   own sub-features (through their entries) and what its enclosing feature holds.
import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

const sourceRoot = resolve(import.meta.dirname, '../server/src');

/** Lowest first. Features in one layer do not import each other. */
export const layers = [
  ['config.ts', 'version.ts', 'common'],
  ['http', 'sqlite', 'postgres'],
  ['engines/upstream'],
  ['engines/local', 'engines/openai', 'engines/assistants'],
  ['engines'],
  ['ownership', 'transcripts', 'run-logs', 'speech'],
  ['knowledge'],
  ['conversations', 'responses'],
  ['routes/chat', 'routes/threads', 'routes/knowledge', 'routes/legacy', 'routes/v1', 'routes/health'],
  ['app.ts', 'startup'],
  ['server.ts'],
];
const rankOf = new Map(layers.flatMap((names, rank) => names.map((name) => [name, rank])));
const features = [...rankOf.keys()].filter((name) => !name.endsWith('.ts'));

const toPosix = (path) => path.split(sep).join('/');
/** The feature folders holding a file, outermost first (`engines`, `engines/local`). */
const featuresOf = (relativePath) =>
  features.filter((name) => relativePath.startsWith(`${name}/`)).sort((a, b) => a.length - b.length);
/** The feature a file belongs to: its innermost folder with an entry, or the top-level file itself. */
const ownerOf = (relativePath) => featuresOf(relativePath).at(-1) ?? relativePath;

function resolveTarget(importer, specifier) {
  const path = resolve(dirname(importer), specifier);
  if (path.endsWith('.js') && !existsSync(path)) return `${path.slice(0, -3)}.ts`;
  return path;
}

/** @type {import('eslint').Rule.RuleModule} */
const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports across server/src features go through index.ts and down the layers' },
    messages: {
      entry: "Import '{{specifier}}' through its feature's entry: '{{entry}}/index.ts'.",
      layer:
        "'{{from}}' (layer {{fromRank}}) may not import '{{to}}' (layer {{toRank}}): imports point down the layers in eslint-rules/feature-boundaries.js.",
    },
    schema: [],
  },
  create(context) {
    const importer = context.filename;
    if (!importer.startsWith(sourceRoot + sep)) return {};
    const importerPath = toPosix(relative(sourceRoot, importer));
    const importerFeatures = featuresOf(importerPath);
    const from = ownerOf(importerPath);

    const check = (node) => {
      const specifier = node.source?.value;
      if (typeof specifier !== 'string' || !specifier.startsWith('.')) return;
      const target = resolveTarget(importer, specifier);
      if (!target.startsWith(sourceRoot + sep)) return;
      const targetPath = toPosix(relative(sourceRoot, target));
      const entered = featuresOf(targetPath).filter((name) => !importerFeatures.includes(name));
      const entry = entered[0];
      if (entry && targetPath !== `${entry}/index.ts`) {
        context.report({ node: node.source, messageId: 'entry', data: { specifier, entry } });
        return;
      }
      const to = ownerOf(targetPath);
      const isNested = from === to || from.startsWith(`${to}/`) || to.startsWith(`${from}/`);
      if (isNested) return;
      const fromRank = rankOf.get(from);
      const toRank = rankOf.get(to);
      if (fromRank === undefined || toRank === undefined || toRank < fromRank) return;
      context.report({ node: node.source, messageId: 'layer', data: { from, to, fromRank, toRank } });
    };
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default { rules: { 'feature-boundaries': rule } };
