import { Global, Module } from '@nestjs/common';
import { KubeModule } from '../kube/kube.module.js';
import { AccessReviews } from './access-reviews.js';
import { AuthController } from './auth.controller.js';
import { SignedInGuard } from './auth.guard.js';
import { Authenticator } from './authenticator.js';

/** Sign-in (TANDEM_AUTH) and access reviews, for every module that acts for a user. */
@Global()
@Module({
  imports: [KubeModule],
  controllers: [AuthController],
  providers: [Authenticator, AccessReviews, SignedInGuard],
  exports: [Authenticator, AccessReviews, SignedInGuard],
})
export class AuthModule {}
