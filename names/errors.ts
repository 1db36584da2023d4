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
  | 'UNKNOWN_CONTACT';

export class NamesError extends ParleyError<NamesErrorCode> {}
