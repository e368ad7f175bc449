import { MediaLinks, PUBLIC_LINK_TTL_MS } from './media-links';

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';
const OTHER = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

describe('MediaLinks', () => {
  const links = new MediaLinks('server-key', 'https://inbox.example.com');
  const parts = (url: string) => {
    const u = new URL(url);
    return { path: u.pathname, exp: u.searchParams.get('exp'), sig: u.searchParams.get('sig') };
  };

  it('should build a public URL for the message that validates until it expires', () => {
    const now = Date.UTC(2026, 10, 22, 12);
    const { path, exp, sig } = parts(links.url(ID, now));
    expect(path).toBe(`/api/comms/media/public/${ID}`);
    expect(Number(exp)).toBe(Math.floor((now + PUBLIC_LINK_TTL_MS) / 1000));
    expect(links.valid(ID, exp, sig, now)).toBe(true);
    expect(links.valid(ID, exp, sig, now + PUBLIC_LINK_TTL_MS + 1000)).toBe(false);
  });

  it('should refuse a signature for another message, another expiry, another key or none', () => {
    const now = Date.now();
    const { exp, sig } = parts(links.url(ID, now));
    expect(links.valid(OTHER, exp, sig, now)).toBe(false);
    expect(links.valid(ID, String(Number(exp) + 3600), sig, now)).toBe(false);
    expect(new MediaLinks('another-key', 'https://inbox.example.com').valid(ID, exp, sig, now)).toBe(false);
    expect(links.valid(ID, exp, undefined, now)).toBe(false);
    expect(links.valid(ID, 'soon', sig, now)).toBe(false);
  });
});
