// Grammar check of generated fix scripts (reports/fix).
//
//   node check.mjs [--needles needles.json] DIR...
//
// Parses every *.ps1 with tree-sitter-powershell and every *.sql with the
// T-SQL grammar of antlr4ts-sql; any syntax error fails. With --needles (a
// JSON array of strings), every occurrence of a needle in a script must lie
// inside one string literal or comment (PowerShell) or one string literal,
// bracketed identifier or comment token (T-SQL): a crafted value must never
// become code.
//
// The npm packages are loaded from the folder named by the environment
// variable SSIS_HA_LINT_GRAMMAR_DIR (an `npm ci` of this folder's
// package.json and package-lock.json), so this script can stay in the repo.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

process.removeAllListeners('warning'); // tree-sitter-powershell's "main" deprecation notice

const base = process.env.SSIS_HA_LINT_GRAMMAR_DIR || path.dirname(new URL(import.meta.url).pathname);
const req = createRequire(path.join(path.resolve(base), 'package.json'));
const load = async (name) => {
  const m = await import(pathToFileURL(req.resolve(name)).href);
  return m.default ?? m;
};

const Parser = await load('tree-sitter');
const PowerShell = await load('tree-sitter-powershell');
const sqlPkg = await load('antlr4ts-sql');
const { antlr4tsSQL, SQLDialect } = sqlPkg;

let needles = [];
const dirs = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--needles') {
    needles = JSON.parse(fs.readFileSync(argv[++i], 'utf8'));
  } else {
    dirs.push(argv[i]);
  }
}
if (dirs.length === 0) {
  console.error('usage: node check.mjs [--needles needles.json] DIR...');
  process.exit(2);
}

const occurrences = (text, needle) => {
  const out = [];
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) out.push(i);
  return out;
};
const lineOf = (text, index) => text.slice(0, index).split('\n').length;

const psParser = new Parser();
psParser.setLanguage(PowerShell);

function checkPS(file, text) {
  const errors = [];
  const tree = psParser.parse(text);
  if (tree.rootNode.hasError) {
    const walk = (n) => {
      if (n.type === 'ERROR' || n.isMissing) {
        errors.push(`line ${n.startPosition.row + 1}: ${n.isMissing ? 'missing ' + n.type : 'syntax error'} near ${JSON.stringify(n.text.slice(0, 60))}`);
        return;
      }
      for (const c of n.children) walk(c);
    };
    walk(tree.rootNode);
    if (errors.length === 0) errors.push('syntax error');
  }
  for (const needle of needles) {
    for (const at of occurrences(text, needle)) {
      const node = tree.rootNode.descendantForIndex(at, at + needle.length);
      let ok = false;
      for (let a = node; a; a = a.parent) {
        if (a.type === 'comment' || a.type === 'string_literal' || a.type === 'verbatim_string_characters') {
          ok = a.type !== 'string_literal' || a.text.startsWith("'") || /^[\u2018-\u201b]/.test(a.text);
          break;
        }
      }
      if (!ok) errors.push(`line ${lineOf(text, at)}: ${JSON.stringify(needle)} is code (${node.type})`);
    }
  }
  return errors;
}

function checkSQL(file, text) {
  const errors = [];
  const listener = {
    syntaxError: (_r, _sym, line, col, msg) => errors.push(`line ${line}:${col}: ${msg}`),
  };
  const sql = new antlr4tsSQL(SQLDialect.TSQL);
  const tokens = sql.getTokens(text, [listener]);
  const parser = sql.getParser(tokens, [listener]);
  sql.getParseTree(parser);
  tokens.fill();
  const all = tokens.getTokens();
  const vocab = parser.vocabulary;
  const allowed = /^(STRING|SQUARE_BRACKET_ID|DOUBLE_QUOTE_ID|COMMENT|LINE_COMMENT)$/;
  for (const needle of needles) {
    for (const at of occurrences(text, needle)) {
      const end = at + needle.length - 1;
      const tok = all.find((t) => t.startIndex <= at && end <= t.stopIndex);
      const name = tok ? vocab.getSymbolicName(tok.type) : 'several tokens';
      if (!tok || !allowed.test(name || '')) errors.push(`line ${lineOf(text, at)}: ${JSON.stringify(needle)} is code (${name})`);
    }
  }
  return errors;
}

let passed = 0;
let failed = 0;
for (const dir of dirs) {
  for (const name of fs.readdirSync(dir).sort()) {
    const ext = path.extname(name).toLowerCase();
    if (ext !== '.ps1' && ext !== '.sql') continue;
    const file = path.join(dir, name);
    const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    const errors = ext === '.ps1' ? checkPS(file, text) : checkSQL(file, text);
    if (errors.length) {
      failed++;
      console.log(`FAIL ${file}`);
      for (const e of errors.slice(0, 20)) console.log(`  ${e}`);
    } else {
      passed++;
      console.log(`ok   ${file}`);
    }
  }
}
console.log(`grammar check: ${passed} file(s) parse, ${failed} failed`);
process.exit(failed ? 1 : 0);
