/**
 * Letters of other scripts that pass for lower-case Latin letters, after the prototypes of
 * UTS 39 confusables.txt (a small, hand-checked subset: the common Cyrillic, Greek and Armenian
 * look-alikes). Used to reject whole-script confusables — a Cyrillic name spelled only with
 * look-alikes, such as "раураӏ", that reads as the Latin "paypal" — and to compute a skeleton
 * that a registry can compare so that "paypal" and "раураӏ" cannot both be registered.
 */
export type LookAlikeScript = 'Cyrillic' | 'Greek' | 'Armenian';

const LOOK_ALIKES: Record<LookAlikeScript, Record<string, string>> = {
  Cyrillic: {
    а: 'a', с: 'c', ԁ: 'd', е: 'e', һ: 'h', і: 'i', ј: 'j', ӏ: 'l', о: 'o', р: 'p', ԛ: 'q',
    ѕ: 's', у: 'y', ү: 'y', х: 'x', ԝ: 'w', ѵ: 'v', ё: 'ë', ї: 'ï', ӧ: 'ö',
  },
  Greek: {
    α: 'a', γ: 'y', ι: 'i', κ: 'k', ν: 'v', ο: 'o', ρ: 'p', υ: 'u', χ: 'x', ϲ: 'c', ϳ: 'j', η: 'n',
  },
  Armenian: {
    օ: 'o', ս: 'u', ո: 'n', հ: 'h', զ: 'q', ց: 'g',
  },
};

/** Digits that pass for letters in a skeleton (UTS 39 maps both to the same prototype). */
const DIGIT_LOOK_ALIKES: Record<string, string> = { '0': 'o', '1': 'l' };

const LATIN_BY_LOOK_ALIKE: ReadonlyMap<string, { latin: string; script: LookAlikeScript }> = new Map(
  (Object.keys(LOOK_ALIKES) as LookAlikeScript[]).flatMap((script) =>
    Object.entries(LOOK_ALIKES[script]).map(([character, latin]) => [character, { latin, script }] as const),
  ),
);

export type WholeScriptConfusable = {
  readonly script: LookAlikeScript;
  /** The Latin text the name reads as. */
  readonly looksLike: string;
  /** Index (code points) of the first letter. */
  readonly index: number;
};

/**
 * Whether a name whose letters are all of one script (checked before) is made only of letters
 * that look like Latin ones. Digits and separators are neutral: "рау-2" is still "pay-2".
 */
export function findWholeScriptConfusable(characters: readonly string[]): WholeScriptConfusable | undefined {
  let script: LookAlikeScript | undefined;
  let index = -1;
  for (let position = 0; position < characters.length; position++) {
    const character = characters[position]!;
    if (!/^\p{L}$/u.test(character)) continue;
    const lookAlike = LATIN_BY_LOOK_ALIKE.get(character);
    if (lookAlike === undefined) return undefined;
    script ??= lookAlike.script;
    if (index === -1) index = position;
  }
  if (script === undefined) return undefined;
  const looksLike = characters.map((character) => LATIN_BY_LOOK_ALIKE.get(character)?.latin ?? character).join('');
  return { script, looksLike, index };
}

/**
 * A comparison key that maps the look-alikes above and the digits 0 and 1 to the Latin
 * letters they pass for: names with equal skeletons are confusable. A subset of UTS 39 §4
 * skeleton(), for registries of global names; validated (lower-case, NFC) names only.
 */
export function confusableSkeleton(name: string): string {
  return Array.from(name.normalize('NFC'))
    .map((character) => LATIN_BY_LOOK_ALIKE.get(character)?.latin ?? DIGIT_LOOK_ALIKES[character] ?? character)
    .join('');
}
