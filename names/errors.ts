/**
 * Expected failures carry a stable `code`; broken invariants use `assert` and crash.
 * Every folder derives its own error class from `ParleyError` in its own errors.ts.
 */
export class ParleyError<Code extends string = string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export type NamesErrorCode =
  // byte and field checks at a boundary
  | 'BAD_LENGTH'
  | 'BAD_TYPE'
  // key and signature material
  | 'BAD_SECRET_KEY'
  | 'BAD_PUBLIC_KEY'
  | 'BAD_SIGNATURE'
  | 'BAD_POINT'
  | 'AUTH_FAILED'
  | 'MUSIG_INVALID_CONTRIBUTION'
  | 'MUSIG_NONCE_REUSED'
  | 'BAD_PARAMETER'
  // bech32m encodings
  | 'BAD_ENCODING'
  | 'BAD_CHECKSUM'
  | 'WRONG_PREFIX'
  // login names and petnames
  | 'BAD_LOGIN_NAME'
  | 'BAD_NAME_PART'
  | 'PETNAME_TAKEN'
  | 'KEY_ALREADY_NAMED'
  | 'UNKNOWN_CONTACT'
  | 'BAD_NICKNAME'
  | 'BAD_PETNAME'
  | 'BAD_PETNAME_BOOK'
  | 'PETNAME_BOOK_FULL'
  // MuSig2 (BIP327) session rules beyond a single bad contribution
  | 'MUSIG_TWEAK_OUT_OF_RANGE'
  | 'MUSIG_TWEAK_AT_INFINITY'
  | 'MUSIG_SIGNER_NOT_IN_KEYS'
  | 'MUSIG_BAD_SECRET_NONCE'
  | 'MUSIG_NONCE_KEY_MISMATCH';

export class NamesError extends ParleyError<NamesErrorCode> {}
