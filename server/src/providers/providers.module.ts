import { Module } from '@nestjs/common';
import { EvolutionProvider } from './evolution/evolution.provider';
import { MockNetwork } from './mock/mock-network';
import { MockProvider } from './mock/mock.provider';
import { ProvidersRegistry } from './providers.registry';

@Module({
  providers: [MockProvider, MockNetwork, EvolutionProvider, ProvidersRegistry],
  exports: [ProvidersRegistry],
})
export class ProvidersModule {}
