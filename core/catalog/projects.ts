import { z } from 'zod';
import type { Page } from '../ports/metadata-store';
import { auditWrite } from '../audit/audit-event';
import { Conflict, NotFound } from '../errors';
import type { TenantScope } from '../tenancy/tenant-scope';
import { facetValue, NameSchema, nameKey, newCatalogId, TagsSchema } from './identifiers';

export const ProjectSchema = z.object({
  projectId: z.string(),
  name: z.string(),
  description: z.string().optional(),
  owner: z.string(),
  gitRepository: z.string().optional(),
  tags: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
  revision: z.number().int(),
});
export type Project = z.infer<typeof ProjectSchema>;

const GitUrl = z
  .string()
  .trim()
  .max(500)
  .regex(/^(https:\/\/|ssh:\/\/|git@)[^\s]+$/, 'an https://, ssh:// or git@ repository URL');

export const CreateProjectInput = z.object({
  name: NameSchema,
  description: z.string().trim().max(2000).optional(),
  owner: z.string().trim().min(1).max(200).optional(),
  gitRepository: GitUrl.optional(),
  tags: TagsSchema,
});

export const UpdateProjectInput = z
  .object({
    description: z.string().trim().max(2000).optional(),
    owner: z.string().trim().min(1).max(200).optional(),
    gitRepository: GitUrl.optional(),
    tags: TagsSchema.optional(),
    expectedRevision: z.number().int().min(1).optional(),
  })
  .refine((v) => Object.keys(v).some((k) => k !== 'expectedRevision'), { message: 'nothing to change' });

const key = (projectId: string) => ({ partition: ['PROJECT', projectId], sort: 'META' });
const nameGuard = (name: string) => ({ partition: ['PROJECTNAME', facetValue(nameKey(name))], sort: 'META' });

export async function createProject(scope: TenantScope, input: z.infer<typeof CreateProjectInput>): Promise<Project> {
  const now = scope.now();
  const project: Project = {
    projectId: newCatalogId(now),
    name: input.name,
    description: input.description,
    owner: input.owner ?? scope.meta.actor,
    gitRepository: input.gitRepository,
    tags: input.tags,
    createdAt: now.toISOString(),
    createdBy: scope.meta.actor,
    updatedAt: now.toISOString(),
    revision: 1,
  };
  try {
    await scope.table.transact([
      { kind: 'put', key: nameGuard(project.name), item: { entity: 'project-name', projectId: project.projectId }, expect: 'new' },
      projectWrite(project),
      auditWrite(scope.meta, 'project.created', { type: 'project', id: project.projectId }, { after: project }, now).write,
    ]);
  } catch (error) {
    if (error instanceof Conflict) throw new Conflict(`a project named '${input.name}' already exists`, { cause: error });
    throw error;
  }
  return project;
}

export async function getProject(scope: TenantScope, projectId: string): Promise<Project> {
  const item = await scope.table.get(key(projectId));
  if (!item) throw new NotFound('project', projectId);
  return ProjectSchema.parse(item);
}

export async function listProjects(scope: TenantScope, page: { limit: number; cursor?: string; namePrefix?: string }): Promise<Page<Project>> {
  const result = await scope.table.query({
    index: 'gsi1',
    partition: ['PROJECTS'],
    sortBeginsWith: page.namePrefix ? nameKey(page.namePrefix) : undefined,
    limit: page.limit,
    cursor: page.cursor,
  });
  return { items: result.items.map((i) => ProjectSchema.parse(i)), cursor: result.cursor };
}

export async function updateProject(scope: TenantScope, projectId: string, input: z.infer<typeof UpdateProjectInput>): Promise<Project> {
  const before = await getProject(scope, projectId);
  const { expectedRevision, ...changes } = input;
  const now = scope.now();
  const after: Project = { ...before, ...changes, updatedAt: now.toISOString(), revision: before.revision + 1 };
  await scope.table.transact([
    projectWrite(after, expectedRevision ?? before.revision),
    auditWrite(scope.meta, 'project.updated', { type: 'project', id: projectId }, { before, after }, now).write,
  ]);
  return after;
}

function projectWrite(project: Project, previousRevision?: number) {
  return {
    kind: 'put' as const,
    key: key(project.projectId),
    indexes: { gsi1: { partition: ['PROJECTS'], sort: `${nameKey(project.name)}#${project.projectId}` } },
    item: { entity: 'project', ...project },
    expect: previousRevision === undefined ? ('new' as const) : { revision: previousRevision },
  };
}
