import { Channel } from '../channels/channel.entity';
import { Contact } from '../contacts/contact.entity';
import { Message } from '../messages/message.entity';
import { RealtimeEventRow } from '../realtime/realtime-event.entity';
import { Setting } from '../settings/setting.entity';
import { Tenant } from '../tenants/tenant.entity';
import { Thread } from '../threads/thread.entity';
import { WebhookEvent } from '../webhooks/webhook-event.entity';

export const ENTITIES = [Tenant, Channel, Contact, Thread, Message, WebhookEvent, RealtimeEventRow, Setting];
