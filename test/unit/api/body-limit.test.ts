import { Hono } from 'hono';
import { bodyLimit } from '../../../api/http/body-limit';

/** The API's body limit: the same answers as hono's, without building the request body for requests that declare their size. */
describe('bodyLimit', () => {
  function app() {
    const hono = new Hono();
    hono.use('*', bodyLimit({ maxSize: 10, onError: (c) => c.text('too large', 413) }));
    hono.all('*', async (c) => c.text(c.req.method === 'GET' ? 'ok' : `read ${(await c.req.text()).length}`));
    return hono;
  }

  /** A Request that counts reads of its body stream (what @hono/node-server must build a whole fetch Request for). */
  class CountingRequest extends Request {
    static bodyReads = 0;
    override get body() {
      CountingRequest.bodyReads++;
      return super.body;
    }
  }

  beforeEach(() => {
    CountingRequest.bodyReads = 0;
  });

  it('lets a GET through without touching its body', async () => {
    const res = await app().fetch(new CountingRequest('http://x/me'));
    expect(res.status).toBe(200);
    expect(CountingRequest.bodyReads).toBe(0);
  });

  it('judges a declared Content-Length from the header alone', async () => {
    const small = await app().fetch(new CountingRequest('http://x/score', { method: 'POST', headers: { 'content-length': '5' }, body: '12345' }));
    expect(await small.text()).toBe('read 5');
    const large = await app().fetch(new CountingRequest('http://x/score', { method: 'POST', headers: { 'content-length': '11' }, body: '12345678901' }));
    expect(large.status).toBe(413);
    expect(CountingRequest.bodyReads).toBe(0);
  });

  it('counts a body of unknown length as it is read', async () => {
    expect((await app().request('/score', { method: 'POST', body: '12345' })).status).toBe(200);
    expect((await app().request('/score', { method: 'POST', body: 'x'.repeat(11) })).status).toBe(413);
    const chunked = await app().request('/score', { method: 'POST', headers: { 'content-length': '3', 'transfer-encoding': 'chunked' }, body: 'x'.repeat(11) });
    expect(chunked.status).toBe(413);
  });
});
