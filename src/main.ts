import { runService } from "./runService.js";

runService();
