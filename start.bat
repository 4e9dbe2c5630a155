@echo off
REM Same as `npm install && npm start`: runs Threadline on its embedded defaults.
cd /d "%~dp0"
if not exist node_modules call npm install
npm start
