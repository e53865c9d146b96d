/**
 * The kubelet API's TLS material: the serving certificate and key (from files, reloaded when
 * they change, or from a callback, re-asked on `reload()`), and the optional client CA that
 * client certificates must chain to. Self-signed and CSR-issued certificates are produced
 * elsewhere and handed in through the callback.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';

export interface ServingCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/** Files (`APISERVER_CERT_LOCATION` / `APISERVER_KEY_LOCATION`), or a callback. */
export type ServingCertificateSource =
  | { readonly certFile: string; readonly keyFile: string }
  | { readonly load: () => Promise<ServingCertificate> | ServingCertificate };

/** `APISERVER_CA_CERT_LOCATION`, or the PEM itself. */
export type ClientCaSource = { readonly file: string } | { readonly pem: string };

export interface KubeletTlsOptions {
  readonly serving: ServingCertificateSource;
  readonly clientCa?: ClientCaSource;
  /** Reload when the certificate, key or CA files change. @default true */
  readonly watchFiles?: boolean;
}

export interface TlsMaterial {
  readonly certPem: string;
  readonly keyPem: string;
  readonly caPem: string | undefined;
}

export async function loadTlsMaterial(options: KubeletTlsOptions): Promise<TlsMaterial> {
  const { serving, clientCa } = options;
  const certificate =
    'load' in serving
      ? await serving.load()
      : {
          certPem: await readFile(serving.certFile, 'utf8'),
          keyPem: await readFile(serving.keyFile, 'utf8'),
        };
  const caPem =
    clientCa === undefined
      ? undefined
      : 'pem' in clientCa
        ? clientCa.pem
        : await readFile(clientCa.file, 'utf8');
  return { certPem: certificate.certPem, keyPem: certificate.keyPem, caPem };
}

/** Secure-context options for the material; throws when the key does not match the certificate. */
export function secureContextOptions(material: TlsMaterial): SecureContextOptions {
  const options: SecureContextOptions = {
    cert: material.certPem,
    key: material.keyPem,
    minVersion: 'TLSv1.2',
    ...(material.caPem === undefined ? {} : { ca: material.caPem }),
  };
  createSecureContext(options); // validates the pair and the CA before it is used
  return options;
}

export function sameMaterial(a: TlsMaterial | undefined, b: TlsMaterial): boolean {
  return a !== undefined && a.certPem === b.certPem && a.keyPem === b.keyPem && a.caPem === b.caPem;
}

/** The files of the material, when it comes from files. */
export function watchedFiles(options: KubeletTlsOptions): string[] {
  const files: string[] = [];
  if (!('load' in options.serving)) files.push(options.serving.certFile, options.serving.keyFile);
  if (options.clientCa !== undefined && 'file' in options.clientCa)
    files.push(options.clientCa.file);
  return files;
}

/**
 * Watches the directories of `files` (so atomic renames and Kubernetes' `..data` symlink swaps
 * are seen) and calls `onChange` once per burst of events.
 */
export function watchDirectories(
  files: readonly string[],
  onChange: () => void,
  debounceMs = 100,
): () => void {
  const watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const fire = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      onChange();
    }, debounceMs);
    timer.unref();
  };
  for (const dir of new Set(files.map(f => dirname(f)))) {
    const watcher = watch(dir, { persistent: false }, fire);
    watcher.on('error', () => undefined);
    watchers.push(watcher);
  }
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
