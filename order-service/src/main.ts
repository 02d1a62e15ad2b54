import { tracing } from './tracing';
import { AppModule } from './app.module';
import { orderService } from './service';
import { startService } from './shared/service/start';

startService(AppModule, orderService, { tracing });
