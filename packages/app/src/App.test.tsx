import { render } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('boots and offers guest sign-in', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'MLOps Portal' },
            backend: { baseUrl: 'http://localhost:7007' },
          },
          context: 'test',
        },
      ] as any,
    };

    const rendered = render(App.createRoot());

    // The app shell renders the sign-in page (guest provider) rather than an error.
    expect(
      await rendered.findByRole('button', { name: 'Enter' }, { timeout: 15000 }),
    ).toBeInTheDocument();
  });
});
