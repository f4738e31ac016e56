import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { assertObjectName, BlobMissingError, SHA256, type BlobStore } from './storage.js';

export interface S3Options {
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
  prefix: string;
}

/** Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2...): `<prefix>blobs/<sha256>`. */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;

  constructor(private readonly options: S3Options) {
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      // Plain PUTs with a length: many S3-compatible stores do not understand the SDK's default
      // aws-chunked uploads with trailing checksums.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      credentials:
        options.accessKeyId && options.secretAccessKey
          ? { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey }
          : undefined,
    });
  }

  private key(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return `${this.options.prefix}blobs/${sha256}`;
  }

  async putFile(sha256: string, stagedPath: string, size: number, contentType: string): Promise<{ created: boolean }> {
    try {
      if (await this.has(sha256)) return { created: false };
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: this.key(sha256),
          Body: createReadStream(stagedPath),
          ContentLength: size,
          ContentType: contentType,
        }),
      );
      return { created: true };
    } finally {
      await rm(stagedPath, { force: true });
    }
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.key(sha256) }));
      return true;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (error as Error).name === 'NotFound') return false;
      throw error;
    }
  }

  async open(sha256: string): Promise<Readable> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.key(sha256) }),
      );
      return result.Body as Readable;
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') throw new BlobMissingError(sha256);
      throw error;
    }
  }

  async delete(sha256: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(sha256) }));
  }

  /** `<prefix><name>`: a PUT replaces an object whole. */
  async putObject(name: string, body: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: `${this.options.prefix}${assertObjectName(name)}`,
        Body: body,
        ContentType: 'application/json',
      }),
    );
  }

  async getObject(name: string): Promise<string | null> {
    try {
      const result = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: `${this.options.prefix}${assertObjectName(name)}` }),
      );
      return (await result.Body?.transformToString('utf8')) ?? null;
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if ((error as Error).name === 'NoSuchKey' || status === 404) return null;
      throw error;
    }
  }

  async *list(): AsyncIterable<{ sha256: string; modifiedAt: Date }> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: `${this.options.prefix}blobs/`,
          ContinuationToken: token,
        }),
      );
      for (const item of page.Contents ?? []) {
        const sha256 = item.Key?.slice(`${this.options.prefix}blobs/`.length) ?? '';
        if (SHA256.test(sha256)) yield { sha256, modifiedAt: item.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  destroy(): void {
    this.client.destroy();
  }
}
