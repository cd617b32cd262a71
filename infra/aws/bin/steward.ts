#!/usr/bin/env node
import { createStewardApp } from '../steward-app';

// Settings come from cdk.json / `-c steward:<key>=<value>`; see stewardContextSchema.
createStewardApp();
