import {
  AdminAddUserToGroupCommand,
  AliasExistsException,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminRemoveUserFromGroupCommand,
  type CognitoIdentityProviderClient,
  UsernameExistsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { TenantRole } from '../../access/roles';
import { Conflict } from '../../errors';
import type { DirectoryUser, Invitation, UserDirectory } from '../../ports/user-directory';

/**
 * Sign-in identities in a Cognito user pool. Username = Steward's user id, so
 * the ID token's `cognito:username` names the user record; `custom:tenantId` is
 * set here by the platform (the app client cannot write it) and groups mirror
 * roles. Cognito mails the invitation (a temporary password) to the user
 * itself, so no secret passes through Steward or an API answer.
 */
export class CognitoUserDirectory implements UserDirectory {
  readonly kind = 'cognito' as const;

  constructor(
    private readonly cognito: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async provision(user: DirectoryUser): Promise<{ platformWrites: never[]; invitation: Invitation }> {
    try {
      await this.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: user.userId,
          UserAttributes: [
            { Name: 'email', Value: user.email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'custom:tenantId', Value: user.tenantId },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
    } catch (error) {
      // An email is an alias of one user: a second user with it is refused. The use case keeps this from the caller (core/identity/invitations.ts).
      if (error instanceof UsernameExistsException || error instanceof AliasExistsException)
        throw new Conflict(`a user with email ${user.email} already exists`, { cause: error });
      throw error;
    }
    for (const role of user.roles) await this.addToGroup(user.userId, role);
    return { platformWrites: [], invitation: { delivery: 'email' } };
  }

  async rolesChanged(user: DirectoryUser, previous: readonly TenantRole[]): Promise<void> {
    for (const role of user.roles.filter((r) => !previous.includes(r))) await this.addToGroup(user.userId, role);
    for (const role of previous.filter((r) => !user.roles.includes(r))) {
      await this.cognito.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: this.userPoolId, Username: user.userId, GroupName: role }));
    }
  }

  async statusChanged(user: DirectoryUser, status: 'active' | 'disabled'): Promise<void> {
    const Command = status === 'disabled' ? AdminDisableUserCommand : AdminEnableUserCommand;
    await this.cognito.send(new Command({ UserPoolId: this.userPoolId, Username: user.userId }));
  }

  async removeAll(users: readonly DirectoryUser[]): Promise<void> {
    for (const user of users) {
      try {
        await this.cognito.send(new AdminDeleteUserCommand({ UserPoolId: this.userPoolId, Username: user.userId }));
      } catch (error) {
        if (!(error instanceof UserNotFoundException)) throw error;
      }
    }
  }

  private async addToGroup(userId: string, role: TenantRole): Promise<void> {
    await this.cognito.send(new AdminAddUserToGroupCommand({ UserPoolId: this.userPoolId, Username: userId, GroupName: role }));
  }
}
