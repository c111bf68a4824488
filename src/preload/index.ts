// The sandboxed preload: exposes the StudioApi as named functions on window.tandem.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { buildPreloadApi } from './api';

// Media files are kept by path in the desktop app: webUtils gives a picked File's path.
contextBridge.exposeInMainWorld('tandem', buildPreloadApi(ipcRenderer, (file) => webUtils.getPathForFile(file as File)));
