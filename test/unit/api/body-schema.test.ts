import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { body, json } from '../../../api/schemas/common';

/**
 * Request bodies are validated with the schema's synchronous parse (zod 4's
 * async parse gives up its compiled object parser): same answers, a schema
 * that refines asynchronously still works, and the OpenAPI document still
 * names the schema.
 */
describe('body schemas', () => {
  function appWith(schema: z.ZodTypeAny) {
    const app = new OpenAPIHono({
      defaultHook: (result, c) => (result.success ? undefined : c.json({ fields: result.error.issues.map((i) => i.path.join('.')) }, 400)),
    });
    app.openapi(createRoute({ method: 'post', path: '/things', request: body(schema), responses: { 200: json(z.object({}), 'ok') } }), (c) =>
      c.json({ got: c.req.valid('json') }, 200),
    );
    app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: 't', version: '1' } });
    return app;
  }
  const post = (app: OpenAPIHono, payload: unknown) =>
    app.request('/things', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });

  it('parses a body with the synchronous parser, with the same result and issues', async () => {
    const Thing = z.object({ name: z.string().trim().min(1), size: z.number().int().default(1) });
    const sync = jest.spyOn(Thing, 'safeParse');
    const app = appWith(Thing);
    const ok = await post(app, { name: ' a ' });
    expect(await ok.json()).toEqual({ got: { name: 'a', size: 1 } });
    const bad = await post(app, { name: '', size: 1.5 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ fields: ['name', 'size'] });
    expect(sync).toHaveBeenCalledTimes(2);
  });

  it('still validates a schema that refines asynchronously', async () => {
    const Slow = z.object({ n: z.number() }).refine(async (v) => Promise.resolve(v.n > 0), { message: 'positive', path: ['n'] });
    const app = appWith(Slow);
    expect(await (await post(app, { n: 2 })).json()).toEqual({ got: { n: 2 } });
    expect(await (await post(app, { n: -2 })).json()).toEqual({ fields: ['n'] });
  });

  it('keeps the schema named in the OpenAPI document', async () => {
    const Named = z.object({ n: z.number() }).openapi('NamedThing');
    const doc = (await (await appWith(Named).request('/openapi.json')).json()) as {
      paths: Record<string, { post: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
    };
    expect(doc.paths['/things'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/NamedThing' });
  });
});
