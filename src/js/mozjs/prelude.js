// Plinth's function prelude (docs/functions.md). It runs first in each
// function's global (one per function per JS thread, reused by its calls)
// and builds what App Services functions expect to find: BSON, EJSON,
// console, utils, require, and (through the returned install(), per call)
// the `context` object. Compiled once per JS thread.
//
// `__plinthNative` is the object of C++ natives (js/mozjs/natives.cc); it is
// taken and deleted before user code runs. The script's completion value (the
// object literal at the end) is the C++ side's handle on this call's
// internals; user code never sees it.
(() => {
  'use strict';
  const native = globalThis.__plinthNative;
  delete globalThis.__plinthNative;
  const define = (obj, name, value) =>
    Object.defineProperty(obj, name, { value, writable: true, configurable: true, enumerable: false });
  const hidden = (obj, name, value) =>
    Object.defineProperty(obj, name, { value, writable: false, configurable: false, enumerable: false });
  const tag = (cls, name) =>
    Object.defineProperty(cls.prototype, '_bsontype', { value: name, enumerable: false });

  const toBytes = (x) => {
    if (x instanceof Uint8Array) return x;
    if (x instanceof ArrayBuffer) return new Uint8Array(x);
    if (x instanceof Binary) return x.buffer;
    return native.utf8Encode(String(x));
  };
  const hexOf = (bytes) => {
    let s = '';
    for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
    return s;
  };
  const bytesOfHex = (hex) => {
    if (typeof hex !== 'string' || hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) {
      throw new TypeError('invalid hex string');
    }
    const out = new Uint8Array(hex.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  };

  // ---- BSON ------------------------------------------------------------
  class ObjectId {
    constructor(id) {
      if (id === undefined || id === null) id = native.newObjectId();
      else if (id instanceof ObjectId) id = id._hex;
      else if (typeof id !== 'string' || !/^[0-9a-fA-F]{24}$/.test(id)) {
        throw new TypeError('ObjectId: expected a 24-character hex string');
      }
      hidden(this, '_hex', id.toLowerCase());
    }
    static isValid(id) {
      return id instanceof ObjectId || (typeof id === 'string' && /^[0-9a-fA-F]{24}$/.test(id));
    }
    static createFromHexString(hex) { return new ObjectId(hex); }
    static generate() { return new ObjectId(); }
    toHexString() { return this._hex; }
    toString() { return this._hex; }
    toJSON() { return this._hex; }
    equals(other) {
      if (other instanceof ObjectId) return other._hex === this._hex;
      return typeof other === 'string' && other.toLowerCase() === this._hex;
    }
    getTimestamp() { return new Date(parseInt(this._hex.substr(0, 8), 16) * 1000); }
    inspect() { return `ObjectId("${this._hex}")`; }
  }
  tag(ObjectId, 'ObjectId');

  const TWO32 = 4294967296n;
  class Long {
    constructor(low = 0, high = 0, unsigned = false) {
      hidden(this, 'low', low | 0);
      hidden(this, 'high', high | 0);
      hidden(this, 'unsigned', !!unsigned);
    }
    static fromBigInt(b) {
      b = BigInt.asIntN(64, b);
      return new Long(Number(BigInt.asIntN(32, b)), Number(BigInt.asIntN(32, b >> 32n)));
    }
    static fromNumber(n) {
      if (!Number.isFinite(n)) return new Long(0, 0);
      if (n <= -9223372036854775808) return Long.fromBigInt(-9223372036854775808n);
      if (n >= 9223372036854775807) return Long.fromBigInt(9223372036854775807n);
      return Long.fromBigInt(BigInt(Math.trunc(n)));
    }
    static fromInt(n) { return Long.fromNumber(n | 0); }
    static fromString(s, radix = 10) {
      s = String(s).trim();
      let neg = false;
      if (s.startsWith('-')) { neg = true; s = s.slice(1); }
      if (radix === 10 && !/^[0-9]+$/.test(s)) throw new TypeError('Long.fromString: not an integer');
      const prefix = radix === 16 ? '0x' : radix === 8 ? '0o' : radix === 2 ? '0b' : '';
      const b = BigInt(prefix + s);
      return Long.fromBigInt(neg ? -b : b);
    }
    static isLong(x) { return x instanceof Long; }
    toBigInt() { return (BigInt(this.high) << 32n) + BigInt(this.low >>> 0); }
    toNumber() { return this.high * 4294967296 + (this.low >>> 0); }
    toInt() { return this.low; }
    toString(radix = 10) { return this.toBigInt().toString(radix); }
    toJSON() { return this.toString(); }
    valueOf() { return this.toNumber(); }
    equals(o) {
      const other = o instanceof Long ? o : Long.fromNumber(Number(o));
      return other.low === this.low && other.high === this.high;
    }
    compare(o) {
      const a = this.toBigInt();
      const b = (o instanceof Long ? o : Long.fromNumber(Number(o))).toBigInt();
      return a < b ? -1 : a > b ? 1 : 0;
    }
    isZero() { return this.low === 0 && this.high === 0; }
    isNegative() { return this.high < 0; }
    add(o) { return Long.fromBigInt(this.toBigInt() + Long.from(o).toBigInt()); }
    subtract(o) { return Long.fromBigInt(this.toBigInt() - Long.from(o).toBigInt()); }
    multiply(o) { return Long.fromBigInt(this.toBigInt() * Long.from(o).toBigInt()); }
    static from(o) { return o instanceof Long ? o : Long.fromNumber(Number(o)); }
  }
  tag(Long, 'Long');
  for (const [k, v] of [['ZERO', 0n], ['ONE', 1n], ['NEG_ONE', -1n],
    ['MAX_VALUE', 9223372036854775807n], ['MIN_VALUE', -9223372036854775808n]]) {
    hidden(Long, k, Long.fromBigInt(v));
  }
  void TWO32;

  class Decimal128 {
    constructor(text) { hidden(this, '_str', native.decimal(String(text))); }
    static fromString(text) { return new Decimal128(text); }
    toString() { return this._str; }
    toJSON() { return { $numberDecimal: this._str }; }
  }
  tag(Decimal128, 'Decimal128');

  class Int32 {
    constructor(v) { hidden(this, 'value', Number(v) | 0); }
    valueOf() { return this.value; }
    toString() { return String(this.value); }
    toJSON() { return this.value; }
  }
  tag(Int32, 'Int32');

  class Double {
    constructor(v) { hidden(this, 'value', Number(v)); }
    valueOf() { return this.value; }
    toString() { return String(this.value); }
    toJSON() { return this.value; }
  }
  tag(Double, 'Double');

  class Binary {
    constructor(buffer, subType = 0) {
      hidden(this, 'buffer', buffer === undefined ? new Uint8Array(0) : toBytes(buffer));
      hidden(this, 'sub_type', subType | 0);
    }
    static fromHex(hex, subType = 0) { return new Binary(bytesOfHex(hex), subType); }
    static fromBase64(b64, subType = 0) { return new Binary(native.base64Decode(String(b64)), subType); }
    static fromText(text) { return new Binary(native.utf8Encode(String(text)), 0); }
    length() { return this.buffer.length; }
    value() { return native.utf8Decode(this.buffer); }
    text() { return native.utf8Decode(this.buffer); }
    toHex() { return hexOf(this.buffer); }
    toBase64() { return native.base64Encode(this.buffer); }
    toString(format) {
      return format === 'hex' ? this.toHex() : format === 'base64' ? this.toBase64() : this.text();
    }
    toJSON() { return this.toBase64(); }
  }
  tag(Binary, 'Binary');
  for (const [k, v] of [['SUBTYPE_DEFAULT', 0], ['SUBTYPE_FUNCTION', 1], ['SUBTYPE_BYTE_ARRAY', 2],
    ['SUBTYPE_UUID_OLD', 3], ['SUBTYPE_UUID', 4], ['SUBTYPE_MD5', 5], ['SUBTYPE_USER_DEFINED', 128]]) {
    hidden(Binary, k, v);
  }

  class BSONRegExp {
    constructor(pattern, options = '') {
      hidden(this, 'pattern', String(pattern));
      hidden(this, 'options', [...String(options)].sort().join(''));
    }
    toString() { return `/${this.pattern}/${this.options}`; }
  }
  tag(BSONRegExp, 'BSONRegExp');

  class Timestamp {
    constructor(a = 0, b = 0) {
      // Both spellings apps use: Timestamp({t, i}) and Timestamp(low=i, high=t).
      if (typeof a === 'object' && a !== null) { hidden(this, 't', a.t >>> 0); hidden(this, 'i', a.i >>> 0); }
      else { hidden(this, 't', b >>> 0); hidden(this, 'i', a >>> 0); }
    }
    getHighBits() { return this.t; }
    getLowBits() { return this.i; }
    toString() { return `Timestamp(${this.t}, ${this.i})`; }
    toJSON() { return { $timestamp: { t: this.t, i: this.i } }; }
  }
  tag(Timestamp, 'Timestamp');

  class MinKey {}
  tag(MinKey, 'MinKey');
  class MaxKey {}
  tag(MaxKey, 'MaxKey');
  class Code {
    constructor(code) { hidden(this, 'code', String(code)); }
    toString() { return this.code; }
  }
  tag(Code, 'Code');

  // Calling without `new` works as in js-bson (BSON.ObjectId()).
  const callable = (cls) => {
    const f = function (...args) { return new cls(...args); };
    for (const k of Object.getOwnPropertyNames(cls)) {
      if (!['length', 'name', 'prototype'].includes(k)) define(f, k, cls[k]);
    }
    f.prototype = cls.prototype;
    Object.defineProperty(f, Symbol.hasInstance, { value: (x) => x instanceof cls });
    Object.defineProperty(f, 'name', { value: cls.name });
    return f;
  };
  const BSON = {
    ObjectId: callable(ObjectId), ObjectID: callable(ObjectId), Long: callable(Long),
    Decimal128: callable(Decimal128), Int32: callable(Int32), Double: callable(Double),
    Binary: callable(Binary), BSONRegExp: callable(BSONRegExp), Timestamp: callable(Timestamp),
    MinKey: callable(MinKey), MaxKey: callable(MaxKey), Code: callable(Code),
  };
  define(globalThis, 'BSON', BSON);

  // ---- EJSON (over libbson through the natives, DECISIONS 14) ----------
  const relaxedOf = (options) => !(options && options.relaxed === false);
  const EJSON = {
    stringify(value, replacer, space, options) {
      if (replacer !== null && typeof replacer === 'object' && space === undefined && options === undefined) {
        options = replacer;
        replacer = undefined;
      }
      const text = native.ejsonStringify(value, relaxedOf(options));
      return space ? JSON.stringify(JSON.parse(text), null, space) : text;
    },
    parse(text, options) { return native.ejsonParse(String(text), relaxedOf(options)); },
    serialize(value, options) { return JSON.parse(EJSON.stringify(value, options)); },
    deserialize(value, options) { return EJSON.parse(JSON.stringify(value), options); },
  };
  define(globalThis, 'EJSON', EJSON);

  // ---- console ---------------------------------------------------------
  const show = (x) => {
    if (typeof x === 'string') return x;
    if (x instanceof Error) return x.stack ? `${x}\n${x.stack}` : String(x);
    if (x !== null && typeof x === 'object') {
      try {
        if (typeof x._bsontype === 'string' && typeof x.toString === 'function') return x.toString();
        return native.ejsonStringify(x, true);
      } catch (e) {
        return String(x);
      }
    }
    return String(x);
  };
  const logger = (level) => (...args) => native.log(level, args.map(show).join(' '));
  define(globalThis, 'console', {
    log: logger('log'), info: logger('info'), warn: logger('warn'), error: logger('error'),
    debug: logger('debug'), trace: logger('debug'),
  });

  // ---- utils.crypto ----------------------------------------------------
  const encodeOut = (bytes, format) =>
    format === 'base64' ? native.base64Encode(bytes) : format === 'hex' || format === undefined
      ? hexOf(bytes) : (() => { throw new TypeError(`unsupported output format '${format}'`); })();
  define(globalThis, 'utils', {
    crypto: {
      hash(hashFn, input) { return new Binary(native.digest(String(hashFn), toBytes(input)), 0); },
      hmac(input, secret, hashFn, outputFormat) {
        return encodeOut(native.hmac(String(hashFn), toBytes(secret), toBytes(input)), outputFormat);
      },
    },
  });

  // ---- require ---------------------------------------------------------
  define(globalThis, 'require', (name) => {
    throw new Error(`Cannot find module '${name}': dependencies are not supported; ` +
      `require('${name}') is not available in Plinth functions`);
  });

  // ---- context ---------------------------------------------------------
  const hostCall = (method, args) => {
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    return native.host(method, args.map((a) => (a === undefined ? null : a)));
  };
  const hostAsync = (method, args) => new Promise((resolve, reject) => {
    try { resolve(hostCall(method, args)); } catch (e) { reject(e); }
  });

  class Cursor {
    constructor(fetch) {
      hidden(this, '_fetch', fetch);
      this._options = {};
      this._docs = null;
      this._pos = 0;
    }
    _check() { if (this._docs !== null) throw new Error('cursor already read'); }
    sort(spec) { this._check(); this._options.sort = spec; return this; }
    skip(n) { this._check(); this._options.skip = n; return this; }
    limit(n) { this._check(); this._options.limit = n; return this; }
    async _load() { if (this._docs === null) this._docs = await this._fetch(this._options); }
    async toArray() { await this._load(); const rest = this._docs.slice(this._pos); this._pos = this._docs.length; return rest; }
    async next() { await this._load(); return this._pos < this._docs.length ? this._docs[this._pos++] : null; }
    async hasNext() { await this._load(); return this._pos < this._docs.length; }
  }

  const collection = (svc, db, coll) => {
    const op = (action) => (...args) => hostAsync(`mongodb.${action}`, [svc, db, coll, ...args]);
    const c = { name: coll, databaseName: db };
    for (const a of ['findOne', 'count', 'countDocuments', 'distinct', 'insertOne', 'insertMany',
      'updateOne', 'updateMany', 'deleteOne', 'deleteMany', 'findOneAndUpdate',
      'findOneAndReplace', 'findOneAndDelete', 'bulkWrite']) {
      c[a] = op(a);
    }
    c.find = (query, projection, options) => new Cursor((extra) =>
      hostAsync('mongodb.find', [svc, db, coll, query ?? {}, projection ?? null, { ...(options ?? {}), ...extra }]));
    c.aggregate = (pipeline, options) => new Cursor(() =>
      hostAsync('mongodb.aggregate', [svc, db, coll, pipeline ?? [], options ?? {}]));
    return c;
  };
  const service = (svc) => ({
    db: (db) => ({
      name: db,
      collection: (coll) => collection(svc, db, coll),
      getCollectionNames: () => hostAsync('mongodb.getCollectionNames', [svc, db]),
    }),
    admin: () => ({ getDBNames: () => hostAsync('mongodb.getDBNames', [svc]) }),
  });

  const install = (info) => {
    const ctx = {};
    ctx.user = info.user ?? { id: '', type: 'system', data: {}, custom_data: {}, identities: [] };
    ctx.environment = info.environment ?? { tag: '', values: {} };
    if (info.request !== null && info.request !== undefined) ctx.request = info.request;
    if (info.app !== null && info.app !== undefined) ctx.app = info.app;
    const system = !!info.runningAsSystem;
    ctx.runningAsSystem = () => system;
    ctx.values = { get: (name) => hostCall('values.get', [name]) };
    ctx.functions = { execute: (name, ...args) => hostCall('functions.execute', [name, ...args]) };
    ctx.services = { get: (svc) => (hostCall('services.get', [svc]) ? service(svc) : undefined) };
    ctx.http = {};
    for (const verb of ['get', 'post', 'put', 'patch', 'delete', 'head']) {
      ctx.http[verb] = (options) => hostAsync(`http.${verb}`, [options ?? {}]);
    }
    define(globalThis, 'context', ctx);
  };

  // ---- isolation between calls (DECISIONS 11) ---------------------------
  // This global lives as long as the function's realm on this JS thread, so
  // what one call leaves in it must be gone before the next: the runtime
  // objects above are frozen, the function's own top-level bindings are
  // locals of a function run afresh per call (js_thread.cc), and reset()
  // puts the global's own properties back as snapshot() found them.
  const { getOwnPropertyDescriptor, defineProperty, freeze, getPrototypeOf } = Object;
  const ownKeys = Reflect.ownKeys;
  const deepFreeze = (root) => {
    const seen = new Set();
    const visit = (o) => {
      if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) return;
      if (o === Object.prototype || o === Function.prototype) return;
      seen.add(o);
      freeze(o);
      for (const k of ownKeys(o)) {
        const d = getOwnPropertyDescriptor(o, k);
        if ('value' in d) visit(d.value);
      }
      visit(getPrototypeOf(o));
    };
    visit(root);
  };
  for (const name of ['BSON', 'EJSON', 'console', 'utils', 'require']) deepFreeze(globalThis[name]);
  deepFreeze(Cursor);
  deepFreeze(ObjectId);
  deepFreeze(Long);

  const baseline = new Map();
  const snapshot = () => {
    baseline.clear();
    for (const k of ownKeys(globalThis)) baseline.set(k, getOwnPropertyDescriptor(globalThis, k));
  };
  // false: the global could not be restored (a non-configurable property
  // was added); the runtime then throws this realm away.
  const reset = () => {
    const present = new Set();
    for (const k of ownKeys(globalThis)) {
      if (k === 'context') continue;
      present.add(k);
      const before = baseline.get(k);
      if (before === undefined) {
        if (!Reflect.deleteProperty(globalThis, k)) return false;
        continue;
      }
      const now = getOwnPropertyDescriptor(globalThis, k);
      if (now.value !== before.value || now.get !== before.get || now.set !== before.set ||
          now.writable !== before.writable || now.enumerable !== before.enumerable) {
        if (!Reflect.defineProperty(globalThis, k, before)) return false;
      }
    }
    for (const [k, d] of baseline) {
      if (!present.has(k) && k !== 'context' && !Reflect.defineProperty(globalThis, k, d)) return false;
    }
    return true;
  };

  // Runs the function source (compiled as the body of a function of
  // (exports, module)) with fresh module objects; returns its entry point.
  const run = (body) => {
    const module = { exports: {} };
    const entry = body(module.exports, module);
    return typeof entry === 'function' ? entry : typeof module.exports === 'function' ? module.exports : undefined;
  };

  // Handed to C++ only: factories for values coming from the host, and the
  // per-call steps. User code never sees this object.
  return {
    objectId: (hex) => new ObjectId(hex),
    long: (low, high) => new Long(low, high),
    decimal: (text) => new Decimal128(text),
    binary: (bytes, subType) => new Binary(bytes, subType),
    regex: (pattern, options) => new BSONRegExp(pattern, options),
    timestamp: (t, i) => new Timestamp({ t, i }),
    minKey: () => new MinKey(),
    maxKey: () => new MaxKey(),
    code: (text) => new Code(text),
    install,
    snapshot,
    reset,
    run,
  };
})();
