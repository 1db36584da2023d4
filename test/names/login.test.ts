import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  NamesError,
  checkNamePart,
  confusableSkeleton,
  formatLoginName,
  isLoginName,
  parseLoginName,
  validateAgentName,
  validateGlobalName,
  validateLoginName,
  validateWalletName,
} from '../../names/index.ts';

type Vectors = {
  valid: { input: string; name: string; note: string }[];
  invalid: { input: string; code: string; note: string }[];
};
const vectors = JSON.parse(readFileSync(new URL('./vectors/login-names.json', import.meta.url), 'utf8')) as Vectors;

test('vectors: valid login names parse to their canonical form', () => {
  for (const { input, name, note } of vectors.valid) {
    assert.equal(validateLoginName(input), name, note);
    assert.ok(isLoginName(name), note);
    assert.equal(isLoginName(input), input === name, `${note}: canonical only when already NFC`);
  }
});

test('vectors: invalid login names fail with the code, and the note is in the message', () => {
  for (const { input, code, note } of vectors.invalid) {
    assert.throws(
      () => parseLoginName(input),
      (error: unknown) => {
        assert.ok(error instanceof NamesError, `${JSON.stringify(input)}: ${String(error)}`);
        assert.equal(error.code, code, `${JSON.stringify(input)}: ${error.message}`);
        assert.ok(error.message.includes(note), `${JSON.stringify(input)}:\n  message: ${error.message}\n  note:    ${note}`);
        return true;
      },
    );
    assert.equal(isLoginName(input), false);
  }
});

test('shape errors: not a string, far too long', () => {
  assert.throws(() => parseLoginName(42 as unknown as string), { code: 'BAD_LOGIN_NAME', message: 'login name: expected a string, got number' });
  assert.throws(() => parseLoginName(`${'a'.repeat(1000)}@agent1`), {
    code: 'BAD_LOGIN_NAME',
    message: 'login name: 1007 UTF-16 units long, far over the limit of 63 characters',
  });
  assert.throws(() => validateWalletName(null as unknown as string), { code: 'BAD_NAME_PART', message: 'wallet name: expected a string, got null' });
});

test('agent and global names follow the label rules on their own', () => {
  assert.equal(validateAgentName('eu.agent-7'), 'eu.agent-7');
  assert.equal(validateGlobalName('caf\u0065\u0301'), 'caf\u00e9');
  assert.throws(() => validateAgentName('ab'), { code: 'BAD_NAME_PART', message: 'agent name "ab": 2 characters long, at least 3' });
  assert.throws(() => validateGlobalName('Shop'), {
    code: 'BAD_NAME_PART',
    message: `global name "Shop": upper-case letter 'S' (U+0053) at index 0; names are lower case: write "shop"`,
  });
  assert.throws(() => validateWalletName('a@b'), { code: 'BAD_NAME_PART', message: /character '@' \(U\+0040\) at index 1/ });
});

test('checkNamePart returns the problem as data, for a UI to point at', () => {
  assert.equal(checkNamePart('wallet', 'alice'), undefined);
  assert.deepEqual(checkNamePart('wallet', 'al\u200dice'), { what: 'zero-width joiner or non-joiner U+200D', index: 2, codePoint: 0x200d });
  assert.deepEqual(checkNamePart('agent', 'ab'), { what: '2 characters long, at least 3' });
});

test('confusable skeletons equate look-alike names for registries', () => {
  assert.equal(confusableSkeleton('\u0440\u0430\u0443\u0440\u0430\u04cf'), 'paypal');
  assert.equal(confusableSkeleton('paypa1'), 'paypal');
  assert.equal(confusableSkeleton('g00gle'), 'google');
  assert.notEqual(confusableSkeleton('\u043c\u0438\u0448\u0430'), confusableSkeleton('alice'));
});

// Generators of valid names: labels from one script, separators only between characters.
const SCRIPT_ALPHABETS = [
  'abcdefghijklmnopqrstuvwxyz\u00e9\u00fc\u00f1\u00e5\u00e7\u00f6\u0107\u0161',
  '\u0431\u0433\u0434\u0436\u0437\u0438\u0439\u043a\u043b\u043c\u043d\u043f\u0444\u0446\u0447\u0448\u0430\u0435\u043e\u0440\u0441\u0443\u0445',
  '\u03b2\u03b4\u03b6\u03b8\u03bb\u03be\u03c0\u03c3\u03c6\u03c8\u03c9\u03b1\u03bf\u03c1\u03ac\u03ad',
  '\u5c71\u7530\u4e2d\u6587\u540d\u3042\u3044\u3046\u30a2\u30a4\u30a6\u30fc',
];
const LOOK_ALIKE_FREE = ['\u00e9', '\u0436', '\u03b2', '\u5c71'];

function arbitraryLabel(lengthMin: number, lengthMax: number): fc.Arbitrary<string> {
  return fc.nat(SCRIPT_ALPHABETS.length - 1).chain((script) => {
    const letters = [...SCRIPT_ALPHABETS[script]!, ...'0123456789'];
    const run = fc.array(fc.constantFrom(...letters), { minLength: 1, maxLength: 6 }).map((characters) => characters.join(''));
    return fc
      .tuple(fc.array(run, { minLength: 1, maxLength: 4 }), fc.array(fc.constantFrom('-', '.', '_'), { minLength: 3, maxLength: 3 }))
      .map(([runs, separators]) => runs.map((each, index) => (index === 0 ? each : `${separators[index - 1]}${each}`)).join(''))
      .map((label) => `${LOOK_ALIKE_FREE[script]}${label}`)
      .map((label) => Array.from(label).slice(0, lengthMax).join(''))
      .filter((label) => Array.from(label).length >= lengthMin && !'-._'.includes(Array.from(label).at(-1)!));
  });
}

const arbitraryLoginName = fc.tuple(arbitraryLabel(1, 31), arbitraryLabel(3, 31)).map(([wallet, agent]) => `${wallet}@${agent}`);

test('property: format(parse(x)) == x for valid login names', () => {
  fc.assert(
    fc.property(arbitraryLoginName, (name) => {
      assert.equal(formatLoginName(parseLoginName(name)), name);
      assert.ok(isLoginName(name));
    }),
    { numRuns: 300 },
  );
});

test('property: NFC-equivalent inputs parse to the same name', () => {
  fc.assert(
    fc.property(arbitraryLoginName, fc.array(fc.boolean(), { minLength: 70, maxLength: 70 }), (name, decompose) => {
      // Decompose a random subset of characters (NFD), leaving the rest composed.
      const variant = Array.from(name)
        .map((character, index) => (decompose[index] ? character.normalize('NFD') : character))
        .join('');
      assert.equal(validateLoginName(variant), validateLoginName(name));
      assert.equal(validateLoginName(name.normalize('NFD')), name);
    }),
    { numRuns: 300 },
  );
});

test('property: arbitrary text yields a canonical name or BAD_LOGIN_NAME/BAD_NAME_PART, never anything else', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), (wallet, agent) => {
      try {
        const name = validateLoginName(`${wallet}@${agent}`);
        assert.equal(validateLoginName(name), name, 'idempotent');
        assert.equal(name, name.normalize('NFC'));
      } catch (error) {
        assert.ok(error instanceof NamesError && (error.code === 'BAD_LOGIN_NAME' || error.code === 'BAD_NAME_PART'), String(error));
        assert.match(error.message, /^(login|wallet|agent) name/);
      }
    }),
    { numRuns: 500 },
  );
});
