import { Inject, Injectable } from '@nestjs/common';
import {
  blindIndex,
  decryptField,
  encryptField,
  needsReencryption,
  parseBlindIndexKey,
  parseDataKeys,
  reencryptField,
  type BlindIndexKind,
  type FieldContext,
  type Keyring,
} from '../../../libs/field-crypto/index.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';

/** The keys of this deployment, bound to `libs/field-crypto`. */
@Injectable()
export class FieldCryptoService {
  private readonly keyring: Keyring;
  private readonly indexKey: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.keyring = parseDataKeys(config.dataKeys);
    this.indexKey = parseBlindIndexKey(config.blindIndexKey);
  }

  encrypt(plaintext: string, ctx: FieldContext): Buffer {
    return encryptField(this.keyring, plaintext, ctx);
  }

  decrypt(blob: Buffer, ctx: FieldContext): string {
    return decryptField(this.keyring, blob, ctx);
  }

  needsReencryption(blob: Buffer): boolean {
    return needsReencryption(this.keyring, blob);
  }

  reencrypt(blob: Buffer, ctx: FieldContext): Buffer {
    return reencryptField(this.keyring, blob, ctx);
  }

  blindIndex(value: string, kind: BlindIndexKind): Buffer {
    return blindIndex(this.indexKey, value, kind);
  }
}
