import { HttpErrorResponse } from '@angular/common/http';
import { Injectable, computed, effect, inject, signal } from '@angular/core';
import type { ChannelView, ConnectionTestView, MessageView } from '@switchboard/contracts';

import { CommsApi, errorMessage } from '../api/comms-api.service';
import { InboxStore } from '../inbox/inbox.store';
import type { ChannelDraft } from './channel-form.model';
import {
  EMPTY_PANEL,
  type ActionState,
  type ChannelAction,
  type ChannelPanel,
  type Editor,
  type HistorySyncView,
  type LoopTrack,
} from './settings.types';

/**
 * The error of an admin action in words. A 404 for the route itself (not for a missing channel)
 * means this server does not offer the action yet: say so instead of "Cannot POST …".
 */
export function actionError(err: unknown, what: string): string {
  const message = errorMessage(err);
  if (err instanceof HttpErrorResponse && err.status === 404 && /^(Cannot (GET|POST|PATCH|PUT)|Route .* not found)/i.test(message)) {
    return `${what} is not available on this server yet (404).`;
  }
  return message;
}

const IDLE: ActionState = { busy: false, error: null, result: null, note: null };

/**
 * The channel settings page's state. Channels themselves live in the inbox store (one copy, kept
 * live by `channel_updated`): every HTTP answer here is upserted there, so a save and a live
 * update converge. This store adds what only the admin page needs: the open form, and per
 * channel the outcome of its actions, the test message being followed and the Meta templates.
 */
@Injectable({ providedIn: 'root' })
export class SettingsStore {
  private readonly api = inject(CommsApi);
  private readonly inbox = inject(InboxStore);

  private readonly panelMap = signal<ReadonlyMap<string, ChannelPanel>>(new Map());
  private readonly editorSignal = signal<Editor>(null);
  private readonly formBusySignal = signal<'save' | 'test' | null>(null);
  private readonly formErrorSignal = signal<string | null>(null);
  private readonly formTestSignal = signal<ConnectionTestView | null>(null);
  private readonly loadingSignal = signal(false);
  private readonly loadErrorSignal = signal<string | null>(null);

  /** Oldest first, as the server lists them. */
  readonly channels = computed(() =>
    [...this.inbox.channels().values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)),
  );
  /**
   * Each channel's history import to show: the live event, unless an import started or fetched
   * over HTTP is newer (a new import before its first event, or a page opened mid-import).
   */
  readonly historySyncs = computed(() => {
    const shown = new Map<string, HistorySyncView>(this.inbox.historySyncs());
    for (const [channelId, panel] of this.panelMap()) {
      const live = shown.get(channelId);
      if (panel.sync && (!live || panel.sync.startedAt > live.startedAt)) shown.set(channelId, panel.sync);
    }
    return shown as ReadonlyMap<string, HistorySyncView>;
  });
  readonly panels = this.panelMap.asReadonly();
  readonly editor = this.editorSignal.asReadonly();
  readonly formBusy = this.formBusySignal.asReadonly();
  readonly formError = this.formErrorSignal.asReadonly();
  readonly formTest = this.formTestSignal.asReadonly();
  readonly loading = this.loadingSignal.asReadonly();
  readonly loadError = this.loadErrorSignal.asReadonly();

  constructor() {
    // Follow each test message's status as status_update events move it in the inbox store,
    // noting when each tick was first seen here.
    effect(() => {
      const messages = this.inbox.messages();
      for (const [channelId, panel] of this.panelMap()) {
        const loop = panel.loop;
        const m = loop ? messages.get(loop.threadId)?.get(loop.messageId) : undefined;
        if (loop && m && (m.status !== loop.status || m.error?.message !== loop.error?.message)) this.advanceLoop(channelId, loop, m);
      }
    });
  }

  /** Load the channels, and start the inbox store's socket (channel and sync events) if the inbox has not. */
  async init(): Promise<void> {
    void this.inbox.init();
    this.loadingSignal.set(true);
    this.loadErrorSignal.set(null);
    try {
      const list = await this.api.listChannels();
      this.inbox.upsertChannels(list);
      for (const c of list) {
        if (c.provider === 'meta' && !this.panel(c.id).templates) void this.loadTemplates(c.id);
        if (c.provider === 'android_sms') void this.loadHistorySync(c.id);
      }
    } catch (err) {
      this.loadErrorSignal.set(actionError(err, 'The channel list'));
    } finally {
      this.loadingSignal.set(false);
    }
  }

  // ---- the add / edit form -------------------------------------------------------------------

  openAdd(): void {
    this.openEditor({ mode: 'add' });
  }

  openEdit(channelId: string): void {
    this.openEditor({ mode: 'edit', channelId });
  }

  closeForm(): void {
    this.openEditor(null);
  }

  /** The form changed in a way that makes the last answer stale (another provider). */
  clearFormResult(): void {
    this.formErrorSignal.set(null);
    this.formTestSignal.set(null);
  }

  /** "Test before saving": the unsaved settings against the provider. */
  async testDraft(draft: ChannelDraft): Promise<void> {
    this.formBusySignal.set('test');
    this.clearFormResult();
    try {
      this.formTestSignal.set(await this.api.testProvider({ provider: draft.provider, config: draft.config, secrets: draft.secrets }));
    } catch (err) {
      this.formErrorSignal.set(actionError(err, 'Testing unsaved settings'));
    } finally {
      this.formBusySignal.set(null);
    }
  }

  /** Create (the answer carries the test the server ran) or update; the form closes on success. */
  async saveDraft(draft: ChannelDraft): Promise<boolean> {
    const editor = this.editorSignal();
    if (!editor) return false;
    this.formBusySignal.set('save');
    this.formErrorSignal.set(null);
    try {
      if (editor.mode === 'add') {
        const { test, ...channel } = await this.api.createChannel(draft);
        this.inbox.upsertChannels([channel]);
        this.setAction(channel.id, 'test', { ...IDLE, result: test ?? null, note: 'Saved. The server tested the new channel:' });
        if (channel.provider === 'meta') void this.loadTemplates(channel.id);
      } else {
        const channel = await this.api.updateChannel(editor.channelId, { name: draft.name, config: draft.config, secrets: draft.secrets });
        this.inbox.upsertChannels([channel]);
        this.setAction(channel.id, 'test', { ...IDLE, note: 'Saved. Run Test connection to check the new settings.' });
      }
      this.openEditor(null);
      return true;
    } catch (err) {
      this.formErrorSignal.set(actionError(err, 'Saving channels'));
      return false;
    } finally {
      this.formBusySignal.set(null);
    }
  }

  // ---- card actions --------------------------------------------------------------------------

  /** Test connection: the checks and latency; the state change arrives as channel_updated too. */
  testConnection(channelId: string): Promise<void> {
    return this.run(channelId, 'test', 'The connection test', async () => {
      const result = await this.api.testChannel(channelId);
      void this.refresh(channelId);
      return { result };
    });
  }

  registerWebhook(channelId: string): Promise<void> {
    return this.run(channelId, 'webhook', 'Webhook registration', async () => {
      const result = await this.api.registerWebhook(channelId);
      void this.refresh(channelId);
      return { result };
    });
  }

  /** Send a test message to `to` and follow its ticks (see the effect in the constructor). */
  sendTestMessage(channelId: string, to: string): Promise<void> {
    const startedAt = Date.now();
    this.patchPanel(channelId, { loop: null });
    return this.run(channelId, 'loop', 'Sending a test message', async () => {
      const result = await this.api.testChannel(channelId, { loopTo: to });
      if (!result.loop) {
        return { result, note: 'The server ran the test but sent no message (it may not support test messages yet).' };
      }
      const { messageId, threadId } = result.loop;
      this.patchPanel(channelId, {
        loop: { messageId, threadId, to, startedAt, steps: [{ status: 'pending', at: startedAt }], status: 'pending', error: null },
      });
      // Cache the message in the inbox store so its status_update events land: a placeholder at
      // once (updates can beat the fetch), then the server's copy merged over it.
      if (!this.inbox.messages().get(threadId)?.has(messageId)) {
        this.inbox.upsertMessages(threadId, [placeholder(messageId, threadId, startedAt)], { create: true });
      }
      void this.inbox.loadLatestMessages(threadId);
      return { result, note: null };
    });
  }

  syncHistory(channelId: string, days: number): Promise<void> {
    return this.run(channelId, 'sync', 'History import', async () => {
      this.patchPanel(channelId, { sync: await this.api.syncHistory(channelId, days) });
      return { note: `Import of the last ${days} days requested.` };
    });
  }

  refreshTemplates(channelId: string): Promise<void> {
    return this.run(channelId, 'templates', 'Template sync', async () => {
      const list = await this.api.syncTemplates(channelId);
      this.patchPanel(channelId, { templates: list });
      return { note: null };
    });
  }

  // ---- internals -----------------------------------------------------------------------------

  private async loadTemplates(channelId: string): Promise<void> {
    try {
      this.patchPanel(channelId, { templates: await this.api.listTemplates(channelId) });
    } catch (err) {
      this.setAction(channelId, 'templates', { ...IDLE, error: actionError(err, 'Templates') });
    }
  }

  /** The latest import, if any (404: none yet, nothing to show). */
  private async loadHistorySync(channelId: string): Promise<void> {
    try {
      this.patchPanel(channelId, { sync: await this.api.getHistorySync(channelId) });
    } catch {
      // No import yet, or a server without imports: the Sync history button says the rest.
    }
  }

  /** Re-read one channel (state, own number, QR) after an action; channel_updated usually beats it. */
  private async refresh(channelId: string): Promise<void> {
    try {
      this.inbox.upsertChannels([await this.api.getChannel(channelId)]);
    } catch {
      // The live event carries the same; nothing to tell the admin.
    }
  }

  private async run(
    channelId: string,
    action: ChannelAction,
    what: string,
    work: () => Promise<{ result?: ConnectionTestView; note?: string | null }>,
  ): Promise<void> {
    this.setAction(channelId, action, { ...IDLE, busy: true });
    try {
      const { result = null, note = null } = await work();
      this.setAction(channelId, action, { ...IDLE, result, note });
    } catch (err) {
      this.setAction(channelId, action, { ...IDLE, error: actionError(err, what) });
    }
  }

  private advanceLoop(channelId: string, loop: LoopTrack, m: MessageView): void {
    const seen = loop.steps.some((s) => s.status === m.status);
    const steps = seen ? loop.steps : [...loop.steps, { status: m.status, at: Date.now() }];
    this.patchPanel(channelId, { loop: { ...loop, steps, status: m.status, error: m.error } });
  }

  private openEditor(editor: Editor): void {
    this.editorSignal.set(editor);
    this.clearFormResult();
  }

  private panel(channelId: string): ChannelPanel {
    return this.panelMap().get(channelId) ?? EMPTY_PANEL;
  }

  private setAction(channelId: string, action: ChannelAction, state: ActionState): void {
    const panel = this.panel(channelId);
    this.patchPanel(channelId, { actions: { ...panel.actions, [action]: state } });
  }

  private patchPanel(channelId: string, patch: Partial<ChannelPanel>): void {
    this.panelMap.update((prev) => new Map(prev).set(channelId, { ...(prev.get(channelId) ?? EMPTY_PANEL), ...patch }));
  }
}

/** The test message until the server's copy is fetched: enough for status updates to apply to. */
function placeholder(id: string, threadId: string, at: number): MessageView {
  return {
    id,
    threadId,
    direction: 'outbound',
    origin: 'system',
    kind: 'text',
    body: null,
    status: 'pending',
    providerMessageId: null,
    clientMessageId: null,
    sentAt: null,
    createdAt: new Date(at).toISOString(),
    media: null,
    location: null,
    replyToId: null,
    reactions: [],
    task: null,
    deletedAt: null,
    error: null,
    transcript: null,
  };
}
