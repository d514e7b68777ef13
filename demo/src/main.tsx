import './styles.css';
import { render } from 'preact';
import { App } from './App';
import { announceSession } from './actions';

// As real products do: tell the analytics snippet who is signed in on every load.
announceSession();

const root = document.getElementById('app');
if (root) render(<App />, root);
