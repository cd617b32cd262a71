/** Hex SHA-256 of a file, as the API asks it to be declared before the upload. */
export async function sha256Hex(file: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * PUTs a file to a presigned URL with XMLHttpRequest, the one browser API that
 * reports upload progress (fetch does not). Resolves when storage accepted it.
 */
export function putWithProgress(
  target: { url: string; method: string; headers: Record<string, string> },
  file: Blob,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.url);
    for (const [name, value] of Object.entries(target.headers)) {
      // The browser sets these itself and refuses to be told.
      if (!['host', 'content-length'].includes(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? (onProgress(1), resolve())
        : reject(new Error(`storage refused the upload (HTTP ${xhr.status}); start the upload again`));
    xhr.onerror = () => reject(new Error('the upload was interrupted: check your connection and start it again'));
    xhr.onabort = () => reject(new Error('upload cancelled'));
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}
