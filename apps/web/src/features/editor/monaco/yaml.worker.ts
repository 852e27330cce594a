// Vite bundles monaco-yaml's worker reliably only through a local entry file (monaco-yaml README, "Why doesn't it work with Vite?").
import 'monaco-yaml/yaml.worker.js';
