import { createEvolutionChannel } from './channels';
import { FakeEvolution } from './fake-evolution';
import { startTestApp, type TestApp } from './test-app';

/**
 * The app with the fixtures' Evolution channel pointing at a fake Evolution server, started
 * before the file's tests and stopped after them.
 */
export function useEvolutionApp(env: Record<string, string> = {}): { app: () => TestApp; fake: () => FakeEvolution } {
  let app: TestApp;
  let fake: FakeEvolution;
  beforeAll(async () => {
    fake = await new FakeEvolution().start();
    app = await startTestApp(env);
    await createEvolutionChannel(app, fake);
  });
  afterAll(async () => {
    await app?.close();
    await fake?.stop();
  });
  return { app: () => app, fake: () => fake };
}
