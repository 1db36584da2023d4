import { foldForComparison, quoteForMessage } from './characters.ts';
import { PETNAME_BOOK_CONTACTS_MAX } from './constants.ts';
import { decodeKeyOf, type IdentityKeyText } from './encoding.ts';
import { NamesError } from './errors.ts';
import { validateNickname, validatePetname, type Nickname, type Petname } from './zooko.ts';

/**
 * The local petname book: which key the user calls what. An immutable value (every change
 * returns a new book), pure (no I/O), serializable to a plain JSON object so the client vault
 * can persist it. Invariants: one petname per key, and no two keys whose petnames are equal
 * ignoring case and normalization (`Alice`, `alice`, `ALICE` are one petname).
 */
export type Contact = { readonly key: IdentityKeyText; readonly petname: Petname; readonly nickname?: Nickname };

export type PetnameBookJson = {
  version: 1;
  contacts: { key: string; petname: string; nickname?: string }[];
};

export const PETNAME_BOOK_VERSION = 1;

type Index = { byKey: Map<IdentityKeyText, Contact>; keyByFold: Map<string, IdentityKeyText> };

export class PetnameBook {
  readonly #index: Index;

  private constructor(index: Index) {
    this.#index = index;
  }

  static empty(): PetnameBook {
    return new PetnameBook({ byKey: new Map(), keyByFold: new Map() });
  }

  /**
   * A book from its JSON form, every field checked: BAD_PETNAME_BOOK names the entry and field,
   * with the underlying error (BAD_CHECKSUM, PETNAME_TAKEN, ...) as `cause`.
   */
  static fromJSON(value: unknown): PetnameBook {
    if (!isPlainObject(value)) throw bookError('expected an object');
    expectFields(value, ['version', 'contacts'], 'petname book');
    if (value.version !== PETNAME_BOOK_VERSION) throw bookError(`version: expected ${PETNAME_BOOK_VERSION}, got ${JSON.stringify(value.version)}`);
    const contacts = value.contacts;
    if (!Array.isArray(contacts)) throw bookError('contacts: expected an array');
    if (contacts.length > PETNAME_BOOK_CONTACTS_MAX) throw bookError(`contacts: ${contacts.length} entries, at most ${PETNAME_BOOK_CONTACTS_MAX}`);
    const index: Index = { byKey: new Map(), keyByFold: new Map() };
    contacts.forEach((entry: unknown, position) => {
      const field = `contacts[${position}]`;
      if (!isPlainObject(entry)) throw bookError(`${field}: expected an object`);
      expectFields(entry, ['key', 'petname', 'nickname'], field);
      try {
        const nickname = entry.nickname === undefined ? undefined : validateNickname(entry.nickname as string);
        insert(index, contactOf(entry.key as string, validatePetname(entry.petname as string), nickname));
      } catch (error) {
        if (error instanceof NamesError) throw bookError(`${field}: ${error.message.replace(/^petname book: /, '')}`, error);
        throw error;
      }
    });
    return new PetnameBook(index);
  }

  get size(): number {
    return this.#index.byKey.size;
  }

  /** KEY_ALREADY_NAMED when the key has a petname, PETNAME_TAKEN when another key holds this one. */
  add(key: string, petname: string, nickname?: string): PetnameBook {
    const contact = contactOf(key, validatePetname(petname), nickname === undefined ? undefined : validateNickname(nickname));
    if (this.size >= PETNAME_BOOK_CONTACTS_MAX) {
      throw new NamesError('PETNAME_BOOK_FULL', `petname book: already ${PETNAME_BOOK_CONTACTS_MAX} contacts, the most it holds`);
    }
    const index = this.#copy();
    insert(index, contact);
    return new PetnameBook(index);
  }

  /** UNKNOWN_CONTACT for a key without a petname; PETNAME_TAKEN when another key holds the new one. */
  rename(key: string, petname: string): PetnameBook {
    const existing = this.#expectContact(key);
    const renamed = contactOf(existing.key, validatePetname(petname), existing.nickname);
    const index = this.#copy();
    remove(index, existing);
    insert(index, renamed);
    return new PetnameBook(index);
  }

  /** Records the nickname the contact now claims (or none); the petname is untouched. */
  setNickname(key: string, nickname: string | undefined): PetnameBook {
    const existing = this.#expectContact(key);
    const index = this.#copy();
    index.byKey.set(existing.key, contactOf(existing.key, existing.petname, nickname === undefined ? undefined : validateNickname(nickname)));
    return new PetnameBook(index);
  }

  /** UNKNOWN_CONTACT for a key without a petname. */
  remove(key: string): PetnameBook {
    const existing = this.#expectContact(key);
    const index = this.#copy();
    remove(index, existing);
    return new PetnameBook(index);
  }

  /** The contact for a key (any case of its printed form); throws only for a malformed key. */
  lookupByKey(key: string): Contact | undefined {
    return this.#index.byKey.get(canonicalKey(key));
  }

  /** The contact whose petname equals `petname` ignoring case and Unicode normalization. */
  lookupByPetname(petname: string): Contact | undefined {
    if (typeof petname !== 'string') return undefined;
    const key = this.#index.keyByFold.get(foldForComparison(petname));
    return key === undefined ? undefined : this.#index.byKey.get(key);
  }

  /** Every contact, ordered by petname (folded, then as written) for a stable display. */
  list(): readonly Contact[] {
    return [...this.#index.byKey.values()].sort((a, b) => compare(foldForComparison(a.petname), foldForComparison(b.petname)) || compare(a.key, b.key));
  }

  toJSON(): PetnameBookJson {
    return {
      version: PETNAME_BOOK_VERSION,
      contacts: this.list().map(({ key, petname, nickname }) => (nickname === undefined ? { key, petname } : { key, petname, nickname })),
    };
  }

  #expectContact(key: string): Contact {
    const canonical = canonicalKey(key);
    const contact = this.#index.byKey.get(canonical);
    if (contact === undefined) throw new NamesError('UNKNOWN_CONTACT', `petname book: no contact with key ${canonical}`);
    return contact;
  }

  #copy(): Index {
    return { byKey: new Map(this.#index.byKey), keyByFold: new Map(this.#index.keyByFold) };
  }
}

function insert(index: Index, contact: Contact): void {
  const named = index.byKey.get(contact.key);
  if (named !== undefined) {
    throw new NamesError('KEY_ALREADY_NAMED', `petname book: key ${contact.key} is already named ${quoteForMessage(named.petname)}; rename it instead`);
  }
  const fold = foldForComparison(contact.petname);
  const holder = index.keyByFold.get(fold);
  if (holder !== undefined) {
    const held = index.byKey.get(holder)!.petname;
    throw new NamesError('PETNAME_TAKEN', `petname book: petname ${quoteForMessage(contact.petname)} is taken by key ${holder} (as ${quoteForMessage(held)})`);
  }
  index.byKey.set(contact.key, contact);
  index.keyByFold.set(fold, contact.key);
}

function remove(index: Index, contact: Contact): void {
  index.byKey.delete(contact.key);
  index.keyByFold.delete(foldForComparison(contact.petname));
}

function contactOf(key: string, petname: Petname, nickname: Nickname | undefined): Contact {
  const canonical = canonicalKey(key);
  return nickname === undefined ? { key: canonical, petname } : { key: canonical, petname, nickname };
}

/** Contacts are wallets or agents; the lower-case printed key identifies them. */
function canonicalKey(key: string): IdentityKeyText {
  return decodeKeyOf(['wallet', 'agent'], key).text;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectFields(value: Record<string, unknown>, allowed: readonly string[], field: string): void {
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) throw bookError(`${field}: unknown field ${JSON.stringify(name)}`);
  }
}

function bookError(message: string, cause?: unknown): NamesError {
  return new NamesError('BAD_PETNAME_BOOK', `petname book: ${message}`, cause === undefined ? undefined : { cause });
}
