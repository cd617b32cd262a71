/**
 * The console's Content-Security-Policy, one text for both places it is
 * served: CloudFront's response headers policy on AWS
 * (infra/aws/constructs/console.ts) and the local server beside the API
 * (infra/local/console-assets.ts). Only its own scripts, the API and storage
 * origins for fetches (presigned uploads), never framed.
 */
export function consoleContentSecurityPolicy(connectOrigins: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React and the chart library set inline style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    `connect-src 'self' ${connectOrigins.join(' ')}`.trim(),
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}
