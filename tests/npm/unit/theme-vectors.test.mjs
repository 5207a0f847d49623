// The theme bridge's shared test vectors (tests/theme/vectors.json) against the npm wrapper's
// own checks in js/theme/palette.ts: isBridgeColor, isBridgeFontFamily and the id rule of
// defaultBridgeTheme must give every verdict the Rust parser gives (src/theme/message/vectors.rs
// checks the same file against src/theme/message/, the authority), at the same byte limits.
// palette.ts is bundled in memory by esbuild (a devDependency); no build of dist/ needed.
// Run by tests/npm/run a (node --test tests/npm/unit/).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const vectors = JSON.parse(fs.readFileSync(path.join(root, 'tests/theme/vectors.json'), 'utf8'));

const { outputFiles } = await build({
  entryPoints: [path.join(root, 'js/theme/palette.ts')],
  bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent',
});
const palette = await import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
const { isBridgeColor, isBridgeFontFamily, defaultBridgeTheme, defaultPalettes, DEFAULT_FONT_FAMILY } = palette;

/** A vector value: a string, or {prefix?, repeat, times, suffix?}. */
const value = v => (typeof v === 'string' ? v : (v.prefix ?? '') + v.repeat.repeat(v.times) + (v.suffix ?? ''));
const show = s => JSON.stringify(s.length > 40 ? `${s.slice(0, 20)}…(${Buffer.byteLength(s)} bytes)` : s);
/** Whether palette.ts accepts `id` as is (defaultBridgeTheme cleans or replaces any other). */
const idAccepted = id => defaultBridgeTheme('light', id).id === id;

const sections = [
  ['colors', isBridgeColor],
  ['fontFamilies', isBridgeFontFamily],
  ['ids', idAccepted],
];
for (const [section, check] of sections) {
  test(`${section}: the Rust verdicts`, () => {
    const wrong = [];
    for (const [verdict, want] of [['accept', true], ['reject', false]]) {
      assert.ok(vectors[section][verdict].length > 0);
      for (const v of vectors[section][verdict].map(value)) {
        if (check(v) !== want) wrong.push(`${show(v)} should be ${verdict}ed`);
      }
    }
    assert.deepEqual(wrong, []);
  });
}

test('the byte limits', () => {
  const { MAX_STRING_BYTES, MAX_FONT_BYTES, MAX_ID_BYTES, MAX_NAMED_COLOR_BYTES } = vectors.limits;
  const rgb = len => `rgb(1, 2, ${'3'.repeat(len - 'rgb(1, 2, )'.length)})`;
  assert.equal(isBridgeColor(rgb(MAX_STRING_BYTES)), true);
  assert.equal(isBridgeColor(rgb(MAX_STRING_BYTES + 1)), false);
  assert.equal(isBridgeColor('a'.repeat(MAX_NAMED_COLOR_BYTES)), true);
  assert.equal(isBridgeColor('a'.repeat(MAX_NAMED_COLOR_BYTES + 1)), false);
  assert.equal(isBridgeFontFamily('a'.repeat(MAX_FONT_BYTES)), true);
  assert.equal(isBridgeFontFamily('a'.repeat(MAX_FONT_BYTES + 1)), false);
  // UTF-8 bytes, not UTF-16 code units: 'é' is 2 bytes, '𝔸' 4 (2 code units).
  assert.equal(isBridgeFontFamily('é'.repeat(MAX_FONT_BYTES / 2)), true);
  assert.equal(isBridgeFontFamily('é'.repeat(MAX_FONT_BYTES / 2 + 1)), false);
  assert.equal(isBridgeFontFamily('𝔸'.repeat(MAX_FONT_BYTES / 4)), true);
  assert.equal(isBridgeFontFamily('𝔸'.repeat(MAX_FONT_BYTES / 4 + 1)), false);
  assert.equal(idAccepted('a'.repeat(MAX_ID_BYTES)), true);
  assert.equal(idAccepted('a'.repeat(MAX_ID_BYTES + 1)), false);
});

test("the vectors' theme and the built-in palettes pass, with the Rust palette keys in order", () => {
  const { theme } = vectors;
  const keys = Object.keys(theme.palette);   // src/theme/message/tests.rs: PALETTE_KEYS, in order
  for (const [key, colour] of Object.entries(theme.palette)) assert.ok(isBridgeColor(colour), key);
  assert.ok(isBridgeFontFamily(theme.fontFamily));
  assert.ok(idAccepted(theme.id));
  for (const variant of ['light', 'dark']) {
    assert.deepEqual(Object.keys(defaultPalettes[variant]), keys, variant);
    for (const [key, colour] of Object.entries(defaultPalettes[variant])) assert.ok(isBridgeColor(colour), `${variant}.${key}`);
    assert.deepEqual(Object.keys(defaultBridgeTheme(variant).palette), keys);
  }
  assert.ok(isBridgeFontFamily(DEFAULT_FONT_FAMILY));
});
