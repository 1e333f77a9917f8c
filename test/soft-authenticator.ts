/**
 * A software passkey authenticator for tests: P-256 keys, "none" attestation, and responses
 * shaped exactly like a browser's (the JSON startRegistration/startAuthentication return).
 * Every part can be tampered with through the options, to prove the server rejects it.
 */
import { isoBase64URL, isoCBOR } from "@simplewebauthn/server/helpers";
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from "node:crypto";

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export type Flags = { up?: boolean; uv?: boolean; be?: boolean; bs?: boolean };

export type CeremonyOverrides = {
  origin?: string;
  rpID?: string;
  type?: string;
  challenge?: string;
  flags?: Flags;
  counter?: number;
  /** Replace the COSE algorithm id in the public key (registration). */
  alg?: number;
  credentialId?: Bytes;
  userHandle?: string | null;
  /** Flip one bit of the signature (authentication). */
  corruptSignature?: boolean;
};

type Bytes = Uint8Array<ArrayBuffer>;
type Cbor = Parameters<typeof isoCBOR.encode>[0];

const sha256 = (data: Uint8Array | string): Bytes => new Uint8Array(createHash("sha256").update(data).digest());
const b64 = (data: Bytes) => isoBase64URL.fromBuffer(data);

function flagsByte({ up = true, uv = true, be = false, bs = false }: Flags, attested: boolean): number {
  return (up ? FLAG_UP : 0) | (uv ? FLAG_UV : 0) | (be ? FLAG_BE : 0) | (bs ? FLAG_BS : 0) | (attested ? FLAG_AT : 0);
}

function u32(n: number): Bytes {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n);
  return out;
}

function concat(...parts: Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export class SoftCredential {
  readonly id: Bytes;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  counter = 0;

  constructor(
    readonly userHandle: string,
    readonly aaguid: Bytes = new Uint8Array(16),
  ) {
    this.id = new Uint8Array(randomBytes(32));
    const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey;
  }

  get idBase64url(): string {
    return b64(this.id);
  }

  private cosePublicKey(alg = -7): Bytes {
    const jwk = this.publicKey.export({ format: "jwk" });
    return isoCBOR.encode(
      new Map<number, Cbor>([
        [1, 2], // kty: EC2
        [3, alg],
        [-1, 1], // crv: P-256
        [-2, isoBase64URL.toBuffer(jwk.x!)],
        [-3, isoBase64URL.toBuffer(jwk.y!)],
      ]),
    );
  }

  /** The browser's RegistrationResponseJSON for these creation options. */
  register(options: { challenge: string; rp: { id?: string } }, origin: string, o: CeremonyOverrides = {}) {
    const rpID = o.rpID ?? options.rp.id!;
    const credentialId = o.credentialId ?? this.id;
    const clientDataJSON = JSON.stringify({ type: o.type ?? "webauthn.create", challenge: o.challenge ?? options.challenge, origin: o.origin ?? origin, crossOrigin: false });
    const idLength = new Uint8Array([credentialId.length >> 8, credentialId.length & 0xff]);
    const authData = concat(sha256(rpID), new Uint8Array([flagsByte(o.flags ?? {}, true)]), u32(o.counter ?? this.counter), this.aaguid, idLength, credentialId, this.cosePublicKey(o.alg));
    const attestationObject = isoCBOR.encode(
      new Map<string, Cbor>([
        ["fmt", "none"],
        ["attStmt", new Map<string, Cbor>()],
        ["authData", authData],
      ]),
    );
    return {
      id: b64(credentialId),
      rawId: b64(credentialId),
      type: "public-key" as const,
      response: {
        clientDataJSON: b64(new TextEncoder().encode(clientDataJSON)),
        attestationObject: b64(attestationObject),
        transports: ["internal", "hybrid"],
      },
      authenticatorAttachment: "platform" as const,
      clientExtensionResults: {},
    };
  }

  /** The browser's AuthenticationResponseJSON for these request options; bumps the counter. */
  authenticate(options: { challenge: string; rpId?: string }, origin: string, o: CeremonyOverrides = {}) {
    const rpID = o.rpID ?? options.rpId!;
    this.counter = o.counter ?? this.counter + 1;
    const clientDataJSON = new TextEncoder().encode(
      JSON.stringify({ type: o.type ?? "webauthn.get", challenge: o.challenge ?? options.challenge, origin: o.origin ?? origin, crossOrigin: false }),
    );
    const authData = concat(sha256(rpID), new Uint8Array([flagsByte(o.flags ?? {}, false)]), u32(this.counter));
    const signature = new Uint8Array(sign("sha256", concat(authData, sha256(clientDataJSON)), this.privateKey));
    if (o.corruptSignature) signature[signature.length - 1]! ^= 0x01;
    const credentialId = o.credentialId ?? this.id;
    const userHandle = o.userHandle === undefined ? this.userHandle : o.userHandle;
    return {
      id: b64(credentialId),
      rawId: b64(credentialId),
      type: "public-key" as const,
      response: {
        clientDataJSON: b64(clientDataJSON),
        authenticatorData: b64(authData),
        signature: b64(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
      authenticatorAttachment: "platform" as const,
      clientExtensionResults: {},
    };
  }
}
