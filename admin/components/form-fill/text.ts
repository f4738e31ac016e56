import { createContext, useContext } from 'react';
import { interfaceTextIn, type InterfaceText } from '../../../src/rules/interface-text';

/**
 * The page's own words in the language the person picked (the same switch as the form's labels):
 * the fill page and the builder's preview provide it, their inputs read it. English by default.
 */
export const InterfaceTextContext = createContext<InterfaceText>(interfaceTextIn(undefined));

export const useText = (): InterfaceText => useContext(InterfaceTextContext);
