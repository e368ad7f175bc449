// Evolution API v2 messages.upsert bodies shaped like the shared fixture, with unique ids.
const SENDERS = 20;

export function evolutionInbound(i, text = `Mensagem de teste ${i}`) {
  const phone = `55119876${String(50000 + (i % SENDERS)).padStart(5, '0')}`;
  return JSON.stringify({
    event: 'messages.upsert',
    instance: 'bench',
    data: {
      key: { remoteJid: `${phone}@s.whatsapp.net`, fromMe: false, id: `BENCH${process.pid}X${i}` },
      pushName: `Cliente ${i % SENDERS}`,
      status: 'DELIVERY_ACK',
      message: {
        conversation: text,
        messageContextInfo: {
          deviceListMetadata: {
            senderKeyHash: 'HVgbrfFZkSo25A==',
            senderTimestamp: '1763388192',
            recipientKeyHash: 'iUL9eyXcDn3fGQ==',
            recipientTimestamp: '1763560992',
          },
          deviceListMetadataVersion: 2,
          messageSecret: 'GMCmm/Elv0tMjhPlGH4J3jdxvbstX9YIOFeC892/7Lc=',
        },
      },
      messageType: 'conversation',
      messageTimestamp: Math.floor(Date.now() / 1000),
      instanceId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      source: 'android',
    },
    destination: 'http://127.0.0.1/api/comms/webhooks/evolution',
    date_time: new Date().toISOString(),
    sender: '5511912340000@s.whatsapp.net',
    server_url: 'http://127.0.0.1:8080',
    apikey: null,
  });
}

export async function createBenchChannel(url) {
  const res = await fetch(`${url}/api/comms/channels`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // No Evolution server answers here: the connection test fails, the channel is still created.
    body: JSON.stringify({
      provider: 'evolution',
      name: 'Bench',
      config: { baseUrl: 'http://127.0.0.1:9', instance: 'bench' },
      secrets: { apiKey: 'k' },
    }),
  });
  if (res.status !== 201) throw new Error(`channel: ${res.status} ${await res.text()}`);
  return res.json();
}
