import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The id cdk-nag gives an IAM5 (wildcard) finding on `resource`, e.g.
 * `AwsSolutions-IAM5[Resource::<MetadataTableC8A01DE2.Arn>/index/*]`, so an
 * acknowledgement can name exactly one finding without hard-coding logical ids.
 * Flattens CloudFormation intrinsics the way cdk-nag does: Ref -> `<Name>`,
 * GetAtt -> `<Name.Attr>`, Join -> joined parts.
 */
export function iam5ResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
}

function flatten(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node !== null && typeof node === 'object') {
    const object = node as Record<string, unknown>;
    if (Array.isArray(object['Fn::Join'])) {
      const [delimiter, items] = object['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (Array.isArray(object['Fn::GetAtt'])) {
      const [name, attribute] = object['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(name)}.${flatten(attribute)}>`;
    }
    if ('Ref' in object) return `<${flatten(object.Ref)}>`;
  }
  return JSON.stringify(node);
}
