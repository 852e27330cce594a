import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { KubeModule } from '../kube/kube.module.js';
import { ResourcesController } from './resources.controller.js';

/** The REST reads of resources (discovery, lists, one object, schemas), each made as the signed-in user. */
@Module({
  imports: [KubeModule, AuthModule],
  controllers: [ResourcesController],
})
export class ResourcesModule {}
