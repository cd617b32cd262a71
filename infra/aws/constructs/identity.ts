import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TENANT_ROLES } from '../../../core/access/roles';
import { PLATFORM_ADMIN_GROUP } from '../../../core/identity/principal-resolver';
import { TENANT_ID_LENGTH } from '../../../core/storage/keys';

/** Cognito groups: the tenant roles (core/access/roles.ts) and platform administration, by their exact names. */
export const STEWARD_GROUPS: readonly string[] = [...TENANT_ROLES, PLATFORM_ADMIN_GROUP];

/** Every call core/adapters/identity/cognito-user-directory.ts sends, and nothing else. */
export const DIRECTORY_ACTIONS: readonly string[] = [
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminAddUserToGroup',
  'cognito-idp:AdminRemoveUserFromGroup',
  'cognito-idp:AdminDisableUser',
  'cognito-idp:AdminEnableUser',
  'cognito-idp:AdminDeleteUser',
];

export interface StewardIdentityProps {
  /**
   * MFA for sign-in. TOTP is the only second factor offered (no SMS).
   *
   * @default cognito.Mfa.OPTIONAL
   */
  readonly mfa?: cognito.Mfa;
  /**
   * PLUS turns on threat protection (compromised-credential and adaptive
   * sign-in checks) in full-function mode; ESSENTIALS costs less per user.
   *
   * @default cognito.FeaturePlan.PLUS
   */
  readonly featurePlan?: cognito.FeaturePlan;
  /**
   * How Cognito sends invitation mail. The default Cognito sender is capped at
   * a few dozen messages a day; production sets SES.
   *
   * @default - Cognito's own sender
   */
  readonly email?: cognito.UserPoolEmail;
  /** @default Duration.hours(1) */
  readonly idTokenValidity?: Duration;
  /** @default Duration.days(30) */
  readonly refreshTokenValidity?: Duration;
  /**
   * The pool holds every Steward user; it is kept when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Who can sign in to Steward on AWS: a Cognito user pool whose users are
 * created by Steward only (tenant sign-up is a Steward request a platform
 * admin approves; tenant admins invite users), username = Steward user id,
 * email as sign-in alias, an immutable `custom:tenantId` the console client
 * can read but never write, and one group per role. The API verifies the
 * pool's ID tokens (STEWARD_JWT_ISSUER, STEWARD_JWT_AUDIENCE = the client id).
 */
export class StewardIdentity extends Construct {
  readonly userPool: cognito.UserPool;
  /** The console (SPA): SRP sign-in, refresh tokens, no client secret. */
  readonly consoleClient: cognito.UserPoolClient;
  readonly groups: ReadonlyMap<string, cognito.UserPoolGroup>;
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>`: the `iss` of the pool's tokens. */
  readonly issuer: string;

  constructor(scope: Construct, id: string, props: StewardIdentityProps = {}) {
    super(scope, id);
    const mfa = props.mfa ?? cognito.Mfa.OPTIONAL;
    const featurePlan = props.featurePlan ?? cognito.FeaturePlan.PLUS;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      // Tenants arrive through Steward's sign-up and approval; users through invitations (AdminCreateUser).
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        // Set once by the platform at AdminCreateUser; nobody, not even an admin API call, can change it afterwards.
        tenantId: new cognito.StringAttribute({ minLen: TENANT_ID_LENGTH, maxLen: TENANT_ID_LENGTH, mutable: false }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      mfa,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      userInvitation: {
        emailSubject: 'Your Steward account',
        emailBody: 'You have been invited to Steward. Sign in with your email address (user name {username}) and the temporary password {####}.',
      },
      email: props.email,
      featurePlan,
      ...(featurePlan === cognito.FeaturePlan.PLUS ? { standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      // A browser app cannot keep a secret.
      generateSecret: false,
      // SRP only; refresh-token auth is always on for a user pool client.
      authFlows: { userSrp: true },
      // The console signs in with SRP, not the hosted UI: no OAuth flows, no callback URLs to guard.
      disableOAuth: true,
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      idTokenValidity: props.idTokenValidity ?? Duration.hours(1),
      accessTokenValidity: props.idTokenValidity ?? Duration.hours(1),
      refreshTokenValidity: props.refreshTokenValidity ?? Duration.days(30),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
      // The ID token must carry email and custom:tenantId (core/adapters/identity/jwt-verifier.ts).
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true, locale: true, timezone: true })
        .withCustomAttributes('tenantId'),
      // Profile niceties only. Not custom:tenantId (a user must not pick their tenant),
      // and not email (the Steward user record is the source of truth for it).
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true, locale: true, timezone: true }),
    });

    this.groups = new Map(
      STEWARD_GROUPS.map((groupName) => [
        groupName,
        this.userPool.addGroup(pascalCase(groupName), {
          groupName,
          description: groupName === PLATFORM_ADMIN_GROUP ? 'Steward platform administrators (no tenant)' : `Steward tenant role ${groupName}`,
        }),
      ]),
    );

    const stack = Stack.of(this);
    this.issuer = `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`;

    if (mfa !== cognito.Mfa.REQUIRED) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is offered (TOTP) but optional by product decision: invited users would otherwise be blocked at first sign-in until they enrol an authenticator. CI systems use hashed CI tokens, not Cognito. Set StewardIdentityProps.mfa to REQUIRED to enforce it.',
      });
    }
    if (featurePlan !== cognito.FeaturePlan.PLUS) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason: 'The deployer chose a feature plan without threat protection (StewardIdentityProps.featurePlan).',
      });
    }
  }

  /** The settings core/config/settings.ts reads to verify this pool's tokens and manage its users. */
  environment(): Record<string, string> {
    return {
      STEWARD_USER_POOL_ID: this.userPool.userPoolId,
      STEWARD_JWT_ISSUER: this.issuer,
      STEWARD_JWKS_URI: `${this.issuer}/.well-known/jwks.json`,
      STEWARD_JWT_AUDIENCE: this.consoleClient.userPoolClientId,
    };
  }

  /** The admin calls of core/adapters/identity/cognito-user-directory.ts, on this pool only. */
  grantDirectoryAdministration(grantee: iam.IGrantable): iam.Grant {
    return this.userPool.grant(grantee, ...DIRECTORY_ACTIONS);
  }
}

function pascalCase(kebab: string): string {
  return kebab
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
