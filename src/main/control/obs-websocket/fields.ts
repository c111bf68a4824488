// Typed reading of requestData. Each accessor either returns a value of the right type or throws a
// RequestError with the RequestStatus obs-websocket uses for that failure (MissingRequestData 301,
// MissingRequestField 300, InvalidRequestFieldType 401, RequestFieldOutOfRange 402,
// RequestFieldEmpty 403), naming the field in the comment. Handlers read every field before they
// act, so a bad field never leaves a request half-applied.
import { Status, type StatusCode } from './protocol';
import { isPlainObject } from './decode';

export class RequestError extends Error {
  constructor(
    readonly code: StatusCode,
    readonly comment?: string,
  ) {
    super(comment ?? `request failed with status ${code}`);
    this.name = 'RequestError';
  }
}

/** Field names in comments are cut short: a client's own junk is not echoed at length. */
const name = (k: string): string => (k.length > 64 ? `${k.slice(0, 64)}…` : k);

export interface NumberRange {
  min?: number;
  max?: number;
  integer?: boolean;
}

export class Fields {
  private readonly data: Record<string, unknown>;
  private readonly hasData: boolean;

  constructor(requestData: unknown) {
    this.hasData = isPlainObject(requestData);
    this.data = isPlainObject(requestData) ? requestData : {};
  }

  /** Present and not null (obs-websocket treats null as absent). */
  has(key: string): boolean {
    return Object.hasOwn(this.data, key) && this.data[key] !== null && this.data[key] !== undefined;
  }

  private required(key: string): unknown {
    if (!this.hasData) throw new RequestError(Status.MissingRequestData, 'Your request data is missing or invalid (non-object).');
    if (!this.has(key)) throw new RequestError(Status.MissingRequestField, `Your request is missing the \`${name(key)}\` field.`);
    return this.data[key];
  }

  string(key: string, allowEmpty = false): string {
    return this.checkString(key, this.required(key), allowEmpty);
  }

  optString(key: string, allowEmpty = false): string | undefined {
    return this.has(key) ? this.checkString(key, this.data[key], allowEmpty) : undefined;
  }

  number(key: string, range: NumberRange = {}): number {
    return this.checkNumber(key, this.required(key), range);
  }

  optNumber(key: string, range: NumberRange = {}): number | undefined {
    return this.has(key) ? this.checkNumber(key, this.data[key], range) : undefined;
  }

  boolean(key: string): boolean {
    const v = this.required(key);
    if (typeof v !== 'boolean') throw new RequestError(Status.InvalidRequestFieldType, `The field value of \`${name(key)}\` must be boolean.`);
    return v;
  }

  object(key: string, allowEmpty = false): Record<string, unknown> {
    return this.checkObject(key, this.required(key), allowEmpty);
  }

  optObject(key: string, allowEmpty = true): Record<string, unknown> | undefined {
    return this.has(key) ? this.checkObject(key, this.data[key], allowEmpty) : undefined;
  }

  /** Exactly one of two alternative keys (e.g. sceneName / sceneUuid): the first wins if both. */
  oneOf(a: string, b: string): { key: string; value: string } {
    const vb = this.optString(b);
    if (vb !== undefined) return { key: b, value: vb };
    const va = this.optString(a);
    if (va !== undefined) return { key: a, value: va };
    if (!this.hasData) throw new RequestError(Status.MissingRequestData, 'Your request data is missing or invalid (non-object).');
    throw new RequestError(Status.MissingRequestField, `Your request must contain at least one of the following fields: \`${a}\` or \`${b}\`.`);
  }

  private checkString(key: string, v: unknown, allowEmpty: boolean): string {
    if (typeof v !== 'string') throw new RequestError(Status.InvalidRequestFieldType, `The field value of \`${name(key)}\` must be a string.`);
    if (!allowEmpty && v.length === 0) throw new RequestError(Status.RequestFieldEmpty, `The field value of \`${name(key)}\` must not be empty.`);
    return v;
  }

  private checkObject(key: string, v: unknown, allowEmpty: boolean): Record<string, unknown> {
    if (!isPlainObject(v)) throw new RequestError(Status.InvalidRequestFieldType, `The field value of \`${name(key)}\` must be an object.`);
    if (!allowEmpty && Object.keys(v).length === 0) throw new RequestError(Status.RequestFieldEmpty, `The field value of \`${name(key)}\` must not be empty.`);
    return v;
  }

  private checkNumber(key: string, v: unknown, r: NumberRange): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RequestError(Status.InvalidRequestFieldType, `The field value of \`${name(key)}\` must be a number.`);
    }
    if (r.integer && !Number.isInteger(v)) throw new RequestError(Status.InvalidRequestFieldType, `The field value of \`${name(key)}\` must be an integer.`);
    if (r.min !== undefined && v < r.min) throw new RequestError(Status.RequestFieldOutOfRange, `The field value of \`${name(key)}\` is below the minimum of \`${r.min}\``);
    if (r.max !== undefined && v > r.max) throw new RequestError(Status.RequestFieldOutOfRange, `The field value of \`${name(key)}\` is above the maximum of \`${r.max}\``);
    return v;
  }
}
