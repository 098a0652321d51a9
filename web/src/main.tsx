import { render } from 'preact';
import { App } from './App';
import { takeKeyFromFragment } from './api/session';
import './styles.css';

takeKeyFromFragment();
render(<App />, document.getElementById('app')!);
