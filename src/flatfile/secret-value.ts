/**
 * A secret handed over by the API (a new token's value) that must reach one file and nowhere
 * else: logging it, printing it, serializing it or interpolating it gives a mask, and only
 * `reveal()`, written where the value is used on purpose, gives the text.
 */
import { inspect } from 'node:util';

const MASK = '[secret]';

export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The secret itself: call it only where it is written to its one destination. */
  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return MASK;
  }

  toJSON(): string {
    return MASK;
  }

  [inspect.custom](): string {
    return MASK;
  }
}
