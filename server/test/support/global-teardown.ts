export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __stopTestPg?: () => Promise<void> }).__stopTestPg?.();
}
