import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { NamesError, PetnameBook, encodeKey, schnorrPublicKey, type IdentityKeyText } from '../../names/index.ts';

function keyOf(kind: 'wallet' | 'agent', seed: number): IdentityKeyText {
  const secretKey = new Uint8Array(32);
  secretKey[31] = seed;
  return encodeKey(kind, schnorrPublicKey(secretKey));
}

const ALICE = keyOf('wallet', 1);
const BOB = keyOf('wallet', 2);
const AGENT = keyOf('agent', 3);

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    assert.ok(error instanceof NamesError, String(error));
    return error.code;
  }
}

test('add, look up by key and by petname ignoring case and normalization', () => {
  const book = PetnameBook.empty().add(ALICE, 'Ren\u00e9e', 'renee99').add(AGENT, 'my agent');
  assert.equal(book.size, 2);
  assert.deepEqual(book.lookupByKey(ALICE), { key: ALICE, petname: 'Ren\u00e9e', nickname: 'renee99' });
  assert.equal(book.lookupByKey(ALICE.toUpperCase())?.petname, 'Ren\u00e9e');
  assert.equal(book.lookupByPetname('RENE\u0301E')?.key, ALICE);
  assert.equal(book.lookupByPetname('My Agent')?.key, AGENT);
  assert.equal(book.lookupByPetname('nobody'), undefined);
  assert.equal(book.lookupByKey(BOB), undefined);
  assert.deepEqual(book.list().map((contact) => contact.petname), ['my agent', 'Ren\u00e9e']);
});

test('the book is a value: changes return a new book and leave the old one alone', () => {
  const empty = PetnameBook.empty();
  const one = empty.add(ALICE, 'alice');
  assert.equal(empty.size, 0);
  assert.equal(one.rename(ALICE, 'al').lookupByKey(ALICE)?.petname, 'al');
  assert.equal(one.lookupByKey(ALICE)?.petname, 'alice');
  assert.equal(one.remove(ALICE).size, 0);
  assert.equal(one.size, 1);
});

test('PETNAME_TAKEN says which key holds the petname', () => {
  const book = PetnameBook.empty().add(ALICE, 'Alice');
  assert.throws(() => book.add(BOB, 'ALICE'), {
    code: 'PETNAME_TAKEN',
    message: `petname book: petname "ALICE" is taken by key ${ALICE} (as "Alice")`,
  });
  assert.throws(() => book.add(BOB, 'bob').rename(BOB, 'alice'), { code: 'PETNAME_TAKEN', message: new RegExp(`taken by key ${ALICE}`) });
  assert.equal(book.rename(ALICE, 'ALICE').lookupByKey(ALICE)?.petname, 'ALICE', 'a key may change the case of its own petname');
});

test('KEY_ALREADY_NAMED, UNKNOWN_CONTACT, bad keys and bad petnames', () => {
  const book = PetnameBook.empty().add(ALICE, 'alice');
  assert.throws(() => book.add(ALICE, 'other'), {
    code: 'KEY_ALREADY_NAMED',
    message: `petname book: key ${ALICE} is already named "alice"; rename it instead`,
  });
  assert.throws(() => book.rename(BOB, 'bob'), { code: 'UNKNOWN_CONTACT', message: `petname book: no contact with key ${BOB}` });
  assert.throws(() => book.remove(BOB), { code: 'UNKNOWN_CONTACT' });
  assert.throws(() => book.setNickname(BOB, 'b'), { code: 'UNKNOWN_CONTACT' });
  assert.throws(() => book.add(encodeKey('payment', schnorrPublicKey(new Uint8Array(32).fill(1))), 'pay'), { code: 'WRONG_PREFIX' });
  assert.throws(() => book.add(BOB, '~bob'), { code: 'BAD_PETNAME' });
  assert.throws(() => book.add(BOB, 'bob', 'bob (real)'), { code: 'BAD_NICKNAME' });
});

test('setNickname records a new claim without touching the petname', () => {
  const book = PetnameBook.empty().add(ALICE, 'alice', 'al').setNickname(ALICE, 'Alice W.');
  assert.deepEqual(book.lookupByKey(ALICE), { key: ALICE, petname: 'alice', nickname: 'Alice W.' });
  assert.deepEqual(book.setNickname(ALICE, undefined).lookupByKey(ALICE), { key: ALICE, petname: 'alice' });
});

test('JSON round trip, and every field checked on load', () => {
  const book = PetnameBook.empty().add(ALICE, 'alice', 'al').add(BOB, 'bob');
  const json = JSON.parse(JSON.stringify(book.toJSON())) as unknown;
  assert.deepEqual(json, {
    version: 1,
    contacts: [
      { key: ALICE, petname: 'alice', nickname: 'al' },
      { key: BOB, petname: 'bob' },
    ],
  });
  assert.deepEqual(PetnameBook.fromJSON(json).toJSON(), book.toJSON());
  const load = (value: unknown) => () => PetnameBook.fromJSON(value);
  assert.throws(load(null), { code: 'BAD_PETNAME_BOOK', message: 'petname book: expected an object' });
  assert.throws(load({ version: 2, contacts: [] }), { code: 'BAD_PETNAME_BOOK', message: 'petname book: version: expected 1, got 2' });
  assert.throws(load({ version: 1 }), { code: 'BAD_PETNAME_BOOK', message: 'petname book: contacts: expected an array' });
  assert.throws(load({ version: 1, contacts: [], extra: 1 }), { code: 'BAD_PETNAME_BOOK', message: 'petname book: petname book: unknown field "extra"' });
  assert.throws(load({ version: 1, contacts: [7] }), { code: 'BAD_PETNAME_BOOK', message: 'petname book: contacts[0]: expected an object' });
  assert.throws(load({ version: 1, contacts: [{ key: ALICE, petname: 'a', colour: 'red' }] }), { code: 'BAD_PETNAME_BOOK', message: /contacts\[0\]: unknown field "colour"/ });
  const typo = ALICE.slice(0, -1) + (ALICE.endsWith('q') ? 'p' : 'q');
  assert.throws(load({ version: 1, contacts: [{ key: typo, petname: 'a' }] }), (error: unknown) => {
    assert.ok(error instanceof NamesError && error.code === 'BAD_PETNAME_BOOK');
    assert.match(error.message, /^petname book: contacts\[0\]: wallet key or agent key: bech32m checksum does not match/);
    assert.ok(error.cause instanceof NamesError && error.cause.code === 'BAD_CHECKSUM');
    return true;
  });
  const duplicate = { version: 1, contacts: [{ key: ALICE, petname: 'a' }, { key: BOB, petname: 'A' }] };
  assert.throws(load(duplicate), { code: 'BAD_PETNAME_BOOK', message: `petname book: contacts[1]: petname "A" is taken by key ${ALICE} (as "a")` });
  assert.throws(load({ version: 1, contacts: [{ key: ALICE, petname: 'a' }, { key: ALICE, petname: 'b' }] }), { code: 'BAD_PETNAME_BOOK', message: /contacts\[1\]: key .* is already named "a"/ });
  assert.throws(load({ version: 1, contacts: [{ key: ALICE, petname: 5 }] }), { code: 'BAD_PETNAME_BOOK', message: /contacts\[0\]: petname: expected a string, got number/ });
});

// Model-based property: random operations on a few keys and petnames that collide by case and
// normalization. Equivalence classes are written out here, independent of the implementation.
const KEYS = [ALICE, BOB, AGENT, keyOf('wallet', 4)];
const PETNAME_CLASSES = [
  ['alice', 'Alice', 'ALICE'],
  ['stra\u00dfe', 'STRASSE', 'strasse'],
  ['\u00e9mile', 'e\u0301mile', '\u00c9MILE'],
  ['bob'],
];
const PETNAMES = PETNAME_CLASSES.flat();
const classOf = (petname: string) => PETNAME_CLASSES.findIndex((members) => members.includes(petname));

type Operation = { kind: 'add' | 'rename' | 'remove'; key: number; petname: number };
const arbitraryOperation: fc.Arbitrary<Operation> = fc.record({
  kind: fc.constantFrom('add' as const, 'rename' as const, 'remove' as const),
  key: fc.nat(KEYS.length - 1),
  petname: fc.nat(PETNAMES.length - 1),
});

test('property: petname book invariants hold under random add/rename/remove', () => {
  fc.assert(
    fc.property(fc.array(arbitraryOperation, { maxLength: 30 }), (operations) => {
      let book = PetnameBook.empty();
      const model = new Map<string, string>(); // key → petname
      for (const { kind, key: keyIndex, petname: petnameIndex } of operations) {
        const key = KEYS[keyIndex]!;
        const petname = PETNAMES[petnameIndex]!;
        const holder = [...model].find(([other, held]) => other !== key && classOf(held) === classOf(petname))?.[0];
        let expected: string | undefined;
        if (kind === 'add') expected = model.has(key) ? 'KEY_ALREADY_NAMED' : holder !== undefined ? 'PETNAME_TAKEN' : undefined;
        if (kind === 'rename') expected = !model.has(key) ? 'UNKNOWN_CONTACT' : holder !== undefined ? 'PETNAME_TAKEN' : undefined;
        if (kind === 'remove') expected = model.has(key) ? undefined : 'UNKNOWN_CONTACT';
        const code = codeOf(() => {
          book = kind === 'remove' ? book.remove(key) : kind === 'add' ? book.add(key, petname) : book.rename(key, petname);
        });
        assert.equal(code, expected, `${kind} ${petname}`);
        if (code === undefined) {
          if (kind === 'remove') model.delete(key);
          else model.set(key, petname.normalize('NFC'));
        }
        // Invariants: the book equals the model; no two keys share a petname; lookups invert.
        assert.equal(book.size, model.size);
        const classes = book.list().map((contact) => classOf(contact.petname));
        assert.equal(new Set(classes).size, classes.length);
        for (const [modelKey, modelPetname] of model) {
          const contact = book.lookupByKey(modelKey);
          assert.equal(contact?.petname, modelPetname);
          assert.equal(book.lookupByPetname(contact!.petname)?.key, modelKey);
        }
      }
      assert.deepEqual(PetnameBook.fromJSON(JSON.parse(JSON.stringify(book))).toJSON(), book.toJSON());
    }),
    { numRuns: 150 },
  );
});
