import { tracing } from './tracing';
import { AppModule } from './app.module';
import { paymentService } from './service';
import { startService } from './shared/service/start';

startService(AppModule, paymentService, { tracing });
