/**
 * What a well-formed `Authorization` header looks like: `Bearer ` and either
 * an ID token (three base64url segments) or a Steward CI token
 * (`stw_<26 id chars>_<43 secret chars>`, core/identity/ci-tokens.ts). Used
 * at the edge on AWS, where API Gateway refuses anything else before invoking
 * the authorizer, and the web ACL treats anything else as unauthenticated.
 */
export const BEARER_CREDENTIAL_PATTERN = '^[Bb]earer (?:[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+|stw_[0-9a-z]{26}_[A-Za-z0-9_-]{43})$';
