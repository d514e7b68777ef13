import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await createHarness();
});
afterEach(async () => {
  await h.close();
});

const defaultFont = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

describe('PATCH /v1/admin/workspace changes only the fields it names', () => {
  it('merges a nested theme field into the theme, keeping the others', async () => {
    const first = await h.adminJson('/workspace', 'PATCH', { theme: { brandColor: '#0f766e', radius: 4 } });
    expect(first.body.theme).toEqual({ brandColor: '#0f766e', font: defaultFont, radius: 4, mode: 'auto' });
    const second = await h.adminJson('/workspace', 'PATCH', { theme: { mode: 'dark' } });
    expect(second.status).toBe(200);
    expect(second.body.theme).toEqual({ brandColor: '#0f766e', font: defaultFont, radius: 4, mode: 'dark' });
    // What is read back, and what the widget receives, is the merged theme.
    expect((await h.adminJson('/workspace')).body.theme).toEqual(second.body.theme);
    expect((await h.content('u1')).theme).toMatchObject({ brandColor: '#0f766e', radius: 4, mode: 'dark' });
  });

  it('leaves the fields it does not name alone', async () => {
    await h.adminJson('/workspace', 'PATCH', {
      name: 'Acme',
      allowedOrigins: ['https://app.acme.test'],
      promptCooldownHours: 12,
    });
    const { body } = await h.adminJson('/workspace', 'PATCH', { theme: { font: 'Inter' } });
    expect(body).toMatchObject({
      name: 'Acme',
      allowedOrigins: ['https://app.acme.test'],
      promptCooldownHours: 12,
      identityVerification: { mode: 'off' },
      theme: { font: 'Inter', brandColor: '#4f46e5', radius: 12, mode: 'auto' },
    });
  });

  it('refuses an invalid or unknown nested field with a pointer to it, and changes nothing', async () => {
    await h.adminJson('/workspace', 'PATCH', { theme: { brandColor: '#0f766e' } });
    const bad = await h.adminJson('/workspace', 'PATCH', {
      name: 'Renamed',
      theme: { radius: 99, brandColour: '#fff' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('validation_failed');
    expect(bad.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/theme/radius', detail: expect.any(String) },
        { pointer: '/theme', detail: expect.stringContaining('brandColour') },
      ]),
    );
    const after = (await h.adminJson('/workspace')).body;
    expect(after).toMatchObject({ name: 'Test', theme: { brandColor: '#0f766e', radius: 12 } });
  });

  it('refuses a body that is not an object of fields', async () => {
    const res = await h.adminJson('/workspace', 'PATCH', ['name']);
    expect(res).toMatchObject({ status: 400, body: { errors: [{ pointer: '' }] } });
  });
});
