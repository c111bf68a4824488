// The sandboxed preload: exposes the StudioApi as named functions on window.tandem.
import { contextBridge, ipcRenderer } from 'electron';
import { buildPreloadApi } from './api';

contextBridge.exposeInMainWorld('tandem', buildPreloadApi(ipcRenderer));
