import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

/**
 * SHA-256 (or HMAC-SHA-256 when given a secret) from `node:crypto`, in the shape
 * `@smithy/signature-v4` takes as its `sha256` constructor.
 */
export class NodeSha256 {
  private readonly secret: string | ArrayBuffer | ArrayBufferView | undefined;
  private hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret = secret;
    this.hash = this.create();
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }

  reset(): void {
    this.hash = this.create();
  }

  private create(): Hash | Hmac {
    if (this.secret === undefined) return createHash('sha256');
    const key =
      typeof this.secret === 'string'
        ? this.secret
        : ArrayBuffer.isView(this.secret)
          ? new Uint8Array(this.secret.buffer, this.secret.byteOffset, this.secret.byteLength)
          : new Uint8Array(this.secret);
    return createHmac('sha256', key);
  }
}
